/// Everything the broker can be told, with defaults that work on one machine. The `broker` executable
/// fills it from flags and `BROKER_*` environment variables.
public struct BrokerConfig: Sendable {
    public var listenHost = "127.0.0.1"
    public var listenPort = 9092
    public var dataDirectory = "./.data/broker"
    public var nodeId: Int32 = 1
    /// Host and port given to clients in Metadata and FindCoordinator; defaults to the listen address.
    public var advertisedHost: String?
    public var advertisedPort: Int?
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9644
    public var clusterId = "shop-broker-cluster"
    public var autoCreateTopics = true
    public var defaultPartitions: Int32 = 1
    public var topicDefaults = TopicConfig()
    public var maximumFrameBytes = 100 * 1024 * 1024
    public var idleTimeoutMilliseconds: Int64 = 600_000
    public var maximumConnections = 10_000
    public var groupMinSessionTimeoutMs: Int32 = 6000
    public var groupMaxSessionTimeoutMs: Int32 = 1_800_000
    public var groupInitialRebalanceDelayMs: Int64 = 0
    /// How often closed segments are checked against retention.
    public var retentionCheckIntervalMilliseconds: Int64 = 300_000

    public init() {}

    public var effectiveAdvertisedHost: String { advertisedHost ?? (listenHost == "0.0.0.0" ? "127.0.0.1" : listenHost) }
    public var effectiveAdvertisedPort: Int { advertisedPort ?? listenPort }

    /// Parses "HOST:PORT" (IPv6 as "[::1]:9092").
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }
}
