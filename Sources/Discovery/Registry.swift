import Foundation
import ServiceKit

/// The registry's rules over its store: time comes from the injected clock, and an instance is live while
/// its last heartbeat is younger than the TTL.
///
/// Restart grace: for one TTL after the registry starts, every stored instance counts as live, whatever
/// its last heartbeat. Instances heartbeat at least once per TTL, so during that window each one either
/// renews its lease or expires; a registry that was down longer than a TTL does not forget its instances
/// the moment it comes back.
public struct Registry: Sendable {
    let store: RegistryStore
    public let clock: ServiceClock
    public let ttl: Duration
    public let startedAt: Date

    init(store: RegistryStore, clock: ServiceClock, ttl: Duration) {
        self.store = store
        self.clock = clock
        self.ttl = ttl
        startedAt = clock.now()
    }

    /// The cutoff (Unix seconds): instances whose last heartbeat is after it are live.
    func liveSince(_ now: Date) -> Double {
        let ttlSeconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        let cutoff = now.timeIntervalSince1970 - ttlSeconds
        return startedAt.timeIntervalSince1970 > cutoff ? -Double.greatestFiniteMagnitude : cutoff
    }

    func register(serviceName: String, instanceId: String?, host: String, port: Int, status: InstanceStatus,
                  metadata: [String: String], healthCheckUrl: String?) async throws -> DiscoveredInstance {
        let now = clock.now().timeIntervalSince1970
        let encodedMetadata = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        let record = InstanceRecord(
            serviceName: serviceName, instanceId: instanceId ?? UUID().uuidString.lowercased(), host: host, port: port,
            status: status.rawValue, metadata: encodedMetadata, healthCheckUrl: healthCheckUrl,
            registeredAt: now, lastHeartbeatAt: now)
        try await store.upsert(record)
        return record.instance
    }

    /// Nil when the instance is unknown or expired: the client must register again.
    func heartbeat(serviceName: String, instanceId: String, status: InstanceStatus?) async throws -> DiscoveredInstance? {
        let now = clock.now()
        return try await store.renew(serviceName: serviceName, instanceId: instanceId, status: status?.rawValue,
                                     at: now.timeIntervalSince1970, liveSince: liveSince(now))?.instance
    }

    /// False when the instance was unknown or already expired.
    func deregister(serviceName: String, instanceId: String) async throws -> Bool {
        try await store.delete(serviceName: serviceName, instanceId: instanceId, liveSince: liveSince(clock.now()))
    }

    func instances(of serviceName: String, status: InstanceStatus?) async throws -> [DiscoveredInstance] {
        try await store.live(serviceName: serviceName, status: status?.rawValue, liveSince: liveSince(clock.now())).map(\.instance)
    }

    /// Every service with at least one live instance (matching `status` when given), by name.
    func services(status: InstanceStatus?) async throws -> [DiscoveredService] {
        let records = try await store.live(status: status?.rawValue, liveSince: liveSince(clock.now()))
        var services: [DiscoveredService] = []
        for record in records {
            if services.last?.name == record.serviceName {
                services[services.count - 1].instances.append(record.instance)
            } else {
                services.append(DiscoveredService(name: record.serviceName, instances: [record.instance]))
            }
        }
        return services
    }

    /// Deletes expired instances; answers how many.
    func sweep() async throws -> Int {
        try await store.deleteExpired(liveSince: liveSince(clock.now()))
    }
}
