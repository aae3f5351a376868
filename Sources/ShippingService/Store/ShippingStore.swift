import Foundation
import GRDB
import ServiceKit

/// All of shipping's SQL. Each write is one transaction that enqueues its events with `Outbox.enqueue`
/// inside it. The writes are `static` functions of a `Database` so that the command consumer (whose
/// handler runs inside the runner's transaction) and HTTP (which opens its own) run the same code.
public struct ShippingStore: Sendable {
    /// Shipping's migrations, to pass to `ServiceDatabase(path:migrations:)`.
    public static var migrations: [ServiceMigration] { ShippingMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) a shipping database file.
    public static func open(path: String) throws -> ShippingStore {
        ShippingStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}

/// JSON text columns (address snapshots, lines).
enum JSONColumn {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, id: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw ShippingError.corruptRow(table: table, id: id, reason: "\(error)")
        }
    }
}
