import Foundation
import GRDB
import ServiceKit

/// All of IAM's SQL. Every method is one transaction; every state change the issue names writes its event
/// with `Outbox.enqueue` inside that same transaction, so the row and the event commit together.
public struct IAMStore: Sendable {
    /// IAM's migrations, to pass to `ServiceDatabase(path:migrations:)`.
    public static var migrations: [ServiceMigration] { IAMMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) an IAM database file.
    public static func open(path: String) throws -> IAMStore {
        IAMStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}

/// JSON-array text columns (roles, scopes).
enum JSONColumn {
    static func encode(_ values: [String]) -> String {
        let data = (try? JSONEncoder().encode(values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
