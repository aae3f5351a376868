import Foundation

/// How long an in-flight key holds its lease and how long finished keys are kept (API.md §1.7).
public struct IdempotencySettings: Sendable {
    /// `IDEMPOTENCY_LEASE_SECONDS` (default 30): an in-flight key whose request has not finished after this
    /// long is considered abandoned (its process crashed or hung) and the next retry takes it over.
    public var lease: Duration
    /// `IDEMPOTENCY_RETENTION_HOURS` (default 24, the draft's and DOMAIN.md §4.6's minimum): how long a key
    /// is remembered after it was first used. An older key counts as unused even before it is pruned.
    public var retention: Duration
    /// How often the pruner deletes keys older than the retention: hourly, or every `retention` when
    /// that is shorter. Not an environment variable: the retention is what clients can observe.
    public var pruneInterval: Duration

    public init(lease: Duration = .seconds(30), retention: Duration = .seconds(24 * 3600), pruneInterval: Duration? = nil) {
        self.lease = lease
        self.retention = retention
        self.pruneInterval = pruneInterval ?? min(retention, .seconds(3600))
    }

    /// Reads `IDEMPOTENCY_LEASE_SECONDS` (1…3600) and `IDEMPOTENCY_RETENTION_HOURS` (1…8760); a bad value
    /// throws `ConfigError` naming the variable.
    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        let lease = try env.int("IDEMPOTENCY_LEASE_SECONDS", default: 30, range: 1...3600)
        let hours = try env.int("IDEMPOTENCY_RETENTION_HOURS", default: 24, range: 1...8760)
        self.init(lease: .seconds(lease), retention: .seconds(hours * 3600))
    }
}
