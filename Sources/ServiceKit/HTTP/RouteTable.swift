import HTTPTypes
import Synchronization

/// The routes a service registered, so that a request whose path exists under another method gets
/// 405 with `Allow` instead of Hummingbird's 404.
public final class RouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((method, segments)) }
    }

    /// The methods of the most specific route pattern matching `path` (a literal segment beats a
    /// parameter, left to right, as the router resolves them), empty when no route matches it at all.
    /// `/inventory/adjustments` is the POST route's path, not `GET /inventory/:productId`'s, so `Allow`
    /// names what the document lists for that path.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let requested = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        return routes.withLock { routes in
            let matching = routes.filter { Self.matches($0.segments, requested) }
            guard let best = matching.map(\.segments).max(by: { Self.isLessSpecific($0, than: $1) }) else { return [] }
            var methods: [HTTPRequest.Method] = []
            for route in matching where Self.shape(route.segments) == Self.shape(best) && !methods.contains(route.method) {
                methods.append(route.method)
            }
            return methods
        }
    }

    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || segment.hasPrefix("{") || segment == "*" || segment == "**"
    }

    /// The pattern with its parameters' names left out (`/orders/:id` and `/orders/:orderId` are one path).
    private static func shape(_ segments: [Substring]) -> [Substring] {
        segments.map { isParameter($0) ? "{}" : $0 }
    }

    private static func isLessSpecific(_ left: [Substring], than right: [Substring]) -> Bool {
        for (l, r) in zip(left, right) where isParameter(l) != isParameter(r) {
            return isParameter(l)
        }
        return left.count < right.count
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var index = 0
        for segment in pattern {
            if segment == "**" { return true }
            guard index < path.count else { return false }
            let isParameter = segment.hasPrefix(":") || segment.hasPrefix("{") || segment == "*"
            if !isParameter, segment != path[index] { return false }
            index += 1
        }
        return index == path.count
    }
}
