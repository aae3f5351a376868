import ServiceKit

/// The registry's own settings, from the environment.
public struct RegistryConfiguration: Sendable {
    /// `DISCOVERY_INSTANCE_TTL_SECONDS` (default 30): an instance without a heartbeat for this long expires.
    public var instanceTTL: Duration = .seconds(30)
    /// `DISCOVERY_SWEEP_INTERVAL_SECONDS` (default: half the TTL, at least 1 s): how often expired
    /// instances are deleted. Reads filter expired instances out regardless, so this only bounds the table.
    public var sweepInterval: Duration = .seconds(15)

    public init() {}

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        let ttl = try env.int("DISCOVERY_INSTANCE_TTL_SECONDS", default: 30, range: 1...86_400)
        instanceTTL = .seconds(ttl)
        sweepInterval = .seconds(try env.int("DISCOVERY_SWEEP_INTERVAL_SECONDS", default: max(1, ttl / 2), range: 1...86_400))
    }

    public static let settingNames = ["DISCOVERY_INSTANCE_TTL_SECONDS", "DISCOVERY_SWEEP_INTERVAL_SECONDS"]
}
