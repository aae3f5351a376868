import Foundation
import GRDB
import ServiceKit

/// The registry's SQLite tables: registered instances, keyed by service name and instance id. Callers pass
/// the liveness cutoff; the store knows nothing of clocks or TTLs.
struct RegistryStore: Sendable {
    let database: ServiceDatabase

    /// Inserts or replaces the instance with the same service name and id.
    func upsert(_ record: InstanceRecord) async throws {
        try await database.write { db in try record.insert(db, onConflict: .replace) }
    }

    /// Renews the lease of a live instance (heartbeat after `liveSince`), optionally changing its status.
    /// Returns nil when no live instance has that id; an expired leftover is deleted then.
    func renew(serviceName: String, instanceId: String, status: String?, at now: Double, liveSince: Double) async throws -> InstanceRecord? {
        try await database.write { db in
            let key = InstanceRecord.key(serviceName: serviceName, instanceId: instanceId)
            guard var record = try InstanceRecord.fetchOne(db, key: key) else { return nil }
            guard record.lastHeartbeatAt > liveSince else {
                try InstanceRecord.deleteOne(db, key: key)
                return nil
            }
            record.lastHeartbeatAt = now
            if let status { record.status = status }
            try record.update(db)
            return record
        }
    }

    /// Deletes the instance; false when it did not exist (or had expired).
    func delete(serviceName: String, instanceId: String, liveSince: Double) async throws -> Bool {
        try await database.write { db in
            let key = InstanceRecord.key(serviceName: serviceName, instanceId: instanceId)
            guard let record = try InstanceRecord.fetchOne(db, key: key) else { return false }
            try InstanceRecord.deleteOne(db, key: key)
            return record.lastHeartbeatAt > liveSince
        }
    }

    /// Live instances, optionally of one service and with one status, ordered by service then instance id.
    func live(serviceName: String? = nil, status: String? = nil, liveSince: Double) async throws -> [InstanceRecord] {
        try await database.read { db in
            var request = InstanceRecord.filter(InstanceRecord.Columns.lastHeartbeatAt > liveSince)
            if let serviceName { request = request.filter(InstanceRecord.Columns.serviceName == serviceName) }
            if let status { request = request.filter(InstanceRecord.Columns.status == status) }
            return try request.order(InstanceRecord.Columns.serviceName, InstanceRecord.Columns.instanceId).fetchAll(db)
        }
    }

    /// Deletes every instance whose last heartbeat is at or before `liveSince`; answers how many.
    func deleteExpired(liveSince: Double) async throws -> Int {
        try await database.write { db in
            try InstanceRecord.filter(InstanceRecord.Columns.lastHeartbeatAt <= liveSince).deleteAll(db)
        }
    }
}
