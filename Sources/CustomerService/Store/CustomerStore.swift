import Foundation
import GRDB
import ServiceKit

/// All of the customer service's SQL. Every public method is one transaction; every change writes its
/// events with `Outbox.enqueue` inside that same transaction. The `static` functions taking a `Database`
/// are the steps those transactions (and the event handlers, inside the consumer's transaction) share.
public struct CustomerStore: Sendable {
    /// The service's migrations, to pass to `ServiceDatabase(path:migrations:)`.
    public static var migrations: [ServiceMigration] { CustomerMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) a customer database file.
    public static func open(path: String) throws -> CustomerStore {
        CustomerStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}
