import Foundation
import GRDB
import ServiceKit

/// One registered instance as stored: times are Unix seconds (REAL) so expiry is a plain comparison,
/// metadata is a JSON object in a TEXT column.
struct InstanceRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "discovery_instance"
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }

    var serviceName: String
    var instanceId: String
    var host: String
    var port: Int
    var status: String
    var metadata: String
    var healthCheckUrl: String?
    var registeredAt: Double
    var lastHeartbeatAt: Double

    enum Columns {
        static let serviceName = Column("service_name")
        static let instanceId = Column("instance_id")
        static let status = Column("status")
        static let lastHeartbeatAt = Column("last_heartbeat_at")
    }

    static func key(serviceName: String, instanceId: String) -> [String: (any DatabaseValueConvertible)?] {
        ["service_name": serviceName, "instance_id": instanceId]
    }

    /// The wire shape (`DiscoveredInstance`); unreadable metadata (never written by this code) reads as empty.
    var instance: DiscoveredInstance {
        let urlHost = host.contains(":") ? "[\(host)]" : host
        let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(metadata.utf8))) ?? [:]
        return DiscoveredInstance(
            instanceId: instanceId, serviceName: serviceName, host: host, port: port, url: "http://\(urlHost):\(port)",
            status: status, metadata: decoded, healthCheckUrl: healthCheckUrl,
            registeredAt: Date(timeIntervalSince1970: registeredAt), lastHeartbeatAt: Date(timeIntervalSince1970: lastHeartbeatAt))
    }
}
