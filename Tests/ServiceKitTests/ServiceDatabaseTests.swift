import Foundation
import GRDB
@testable import ServiceKit
import Testing

@Suite struct ServiceDatabaseTests {
    @Test func opensInWALModeAndRunsMigrationsOnce() async throws {
        let path = NSTemporaryDirectory() + "servicekit-\(UUID().uuidString)/db.sqlite"
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let migration = ServiceMigration("test-v1") { db in
            try db.create(table: "thing") { t in t.autoIncrementedPrimaryKey("id"); t.column("name", .text).notNull() }
        }
        do {
            let database = try ServiceDatabase(path: path, migrations: [migration])
            let mode = try await database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            try await database.write { db in try db.execute(sql: "INSERT INTO thing(name) VALUES ('a')") }
            #expect(await database.isReachable())
        }
        // Reopening applies nothing twice and keeps the data.
        let reopened = try ServiceDatabase(path: path, migrations: [migration])
        let count = try await reopened.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM thing") }
        #expect(count == 1)
    }
}
