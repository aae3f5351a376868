/// Every process of the shop with its seed port, in start order. `shop serve`, `shop up`, the gateway's
/// upstream defaults and `ServiceConfig`'s defaults all read this one table.
///
/// Start order: the broker first (everything publishes to it), then configuration and the registry (the
/// others read and register with them), then IAM (everyone needs its JWKS), the domain services, and the
/// gateway last (it fronts them all).
public enum ServiceCatalogue {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let port: Int
        /// Reached through the gateway under its route prefixes (the domain services and IAM).
        public let behindGateway: Bool
    }

    public static let entries: [Entry] = [
        Entry(name: "broker", port: 9092, behindGateway: false),
        Entry(name: "config", port: 8888, behindGateway: false),
        Entry(name: "discovery", port: 8761, behindGateway: false),
        Entry(name: "iam", port: 8081, behindGateway: true),
        Entry(name: "customer", port: 8082, behindGateway: true),
        Entry(name: "catalog", port: 8083, behindGateway: true),
        Entry(name: "order", port: 8084, behindGateway: true),
        Entry(name: "inventory", port: 8085, behindGateway: true),
        Entry(name: "payment", port: 8086, behindGateway: true),
        Entry(name: "shipping", port: 8087, behindGateway: true),
        Entry(name: "gateway", port: 8080, behindGateway: false),
    ]

    /// The broker's metrics port under `shop up` (its Prometheus endpoint).
    public static let brokerMetricsPort = 9644

    public static func port(of name: String) -> Int? {
        entries.first { $0.name == name }?.port
    }

    /// The seed URL of a service on this machine (`http://127.0.0.1:<port>`).
    public static func localURL(of name: String, portOffset: Int = 0) -> String? {
        port(of: name).map { "http://127.0.0.1:\($0 + portOffset)" }
    }

    /// Names in start order, restricted to `names`.
    public static func startOrder(of names: some Sequence<String>) -> [String] {
        let selected = Set(names)
        return entries.map(\.name).filter(selected.contains)
    }
}
