import HTTPTypes

/// One entry of the routing table: requests under `pattern` go to the service `service`.
public struct GatewayRoute: Sendable, Equatable {
    public let pattern: RoutePattern
    public let service: String

    public init(pattern: RoutePattern, service: String) {
        self.pattern = pattern
        self.service = service
    }

    /// The seed's table with the shop's additions (API.md §1.1).
    public static let defaults: [(String, String)] = [
        ("/auth/**", "iam"), ("/.well-known/**", "iam"), ("/oauth2/**", "iam"), ("/admin/**", "iam"),
        ("/customers/**", "customer"), ("/products/**", "catalog"), ("/categories/**", "catalog"),
        ("/orders/**", "order"), ("/cart/**", "order"),
        ("/inventory/**", "inventory"), ("/warehouses/**", "inventory"), ("/payments/**", "payment"),
        ("/shipping/**", "shipping"),
    ]

    /// `GATEWAY_ROUTES`: comma-separated `pattern=service` entries, e.g. `/auth/**=iam,/products/**=catalog`.
    public static func parse(_ text: String) throws(GatewayConfigurationError) -> [GatewayRoute] {
        var routes: [GatewayRoute] = []
        for entry in text.split(separator: ",") {
            let item = entry.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else { throw .invalidRoute(item, reason: "expected pattern=service") }
            guard parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw .invalidRoute(item, reason: "the service name may only hold letters, digits, - and _")
            }
            routes.append(GatewayRoute(pattern: try RoutePattern(parsing: parts[0]), service: parts[1]))
        }
        return routes
    }
}

/// The routing table: the most specific matching pattern (most segments, then with a method) wins.
public struct GatewayRouteTable: Sendable {
    public let routes: [GatewayRoute]

    public init(_ routes: [GatewayRoute]) {
        self.routes = routes.sorted { lhs, rhs in
            if lhs.pattern.segments.count != rhs.pattern.segments.count {
                return lhs.pattern.segments.count > rhs.pattern.segments.count
            }
            return lhs.pattern.method != nil && rhs.pattern.method == nil
        }
    }

    public func route(path: String, method: HTTPRequest.Method) -> GatewayRoute? {
        routes.first { $0.pattern.matches(path: path, method: method) }
    }

    /// Every service some route leads to.
    public var services: [String] {
        var seen: [String] = []
        for route in routes where !seen.contains(route.service) { seen.append(route.service) }
        return seen
    }
}
