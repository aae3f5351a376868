import GRDB
import ServiceKit

enum RegistryMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("discovery-v1-instances") { db in
            try db.create(table: InstanceRecord.databaseTableName) { t in
                t.column("service_name", .text).notNull()
                t.column("instance_id", .text).notNull()
                t.column("host", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("metadata", .text).notNull().defaults(to: "{}")
                t.column("health_check_url", .text)
                t.column("registered_at", .double).notNull()
                t.column("last_heartbeat_at", .double).notNull()
                t.primaryKey(["service_name", "instance_id"])
            }
            try db.create(index: "discovery_instance_by_heartbeat", on: InstanceRecord.databaseTableName, columns: ["last_heartbeat_at"])
        },
    ]
}
