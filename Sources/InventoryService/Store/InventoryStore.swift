import Foundation
import GRDB
import ServiceKit

/// All of inventory's SQL. Each public method is one transaction; every state change that publishes an
/// event enqueues it with `Outbox.enqueue` inside that same transaction. The synchronous `…(in db)` forms
/// run inside a caller's transaction (the command consumer's, which also writes the inbox row).
public struct InventoryStore: Sendable {
    public static var migrations: [ServiceMigration] { InventoryMigrations.all }

    public let database: ServiceDatabase
    public let clock: ServiceClock

    public init(database: ServiceDatabase, clock: ServiceClock = .system) {
        self.database = database
        self.clock = clock
    }

    /// Opens (creating and migrating) an inventory database file.
    public static func open(path: String, clock: ServiceClock = .system) throws -> InventoryStore {
        InventoryStore(database: try ServiceDatabase(path: path, migrations: migrations), clock: clock)
    }
}

/// Unix milliseconds, the one time representation of the tables.
enum Millis {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(millis) / 1000) }
}

/// JSON text columns.
enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw InventoryError.internalFailure("unreadable JSON column: \(error)")
        }
    }
}
