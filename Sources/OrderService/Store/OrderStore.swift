import Contracts
import Foundation
import GRDB
import ServiceKit

/// All of the order service's SQL. Each write is one transaction that enqueues its events and commands
/// with `Outbox.enqueue` inside it. Writes are `static` functions of a `Database` where a consumer (whose
/// handler runs inside the runner's transaction) and HTTP (which opens its own) run the same code.
public struct OrderStore: Sendable {
    /// The order service's migrations, to pass to `ServiceDatabase(path:migrations:)`.
    public static var migrations: [ServiceMigration] { OrderMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) an order database file.
    public static func open(path: String) throws -> OrderStore {
        OrderStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}

/// JSON text columns (lines, snapshots, saga facts).
enum JSONColumn {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, id: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw OrderError.corruptRow(table: table, id: id, reason: "\(error)")
        }
    }
}
