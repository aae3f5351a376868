import Foundation
import GRDB
import ServiceKit

/// All of the catalog's SQL. Every write method is one transaction, and every state change it makes
/// writes its event with `Outbox.enqueue` inside that same transaction.
public struct CatalogStore: Sendable {
    /// The catalog's migrations, to pass to `ServiceDatabase(path:migrations:)`.
    public static var migrations: [ServiceMigration] { CatalogMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) a catalog database file.
    public static func open(path: String) throws -> CatalogStore {
        CatalogStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}

extension DatabaseError {
    var isUniqueViolation: Bool { extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY }
}

/// `?, ?, ?` for an IN list of `count` values.
func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
