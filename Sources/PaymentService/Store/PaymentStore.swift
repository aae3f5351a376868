import Contracts
import Foundation
import GRDB
import ServiceKit

/// All of the payment service's SQL. Each method is one transaction; every state change that others
/// must learn about enqueues its event with `Outbox.enqueue` in that same transaction. The `static`
/// functions taking a `Database` run inside a caller's transaction (the consumer runner's, which also
/// records the inbox row and offset).
public struct PaymentStore: Sendable {
    public static var migrations: [ServiceMigration] { PaymentMigrations.all }

    public let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating) a payment database file.
    public static func open(path: String) throws -> PaymentStore {
        PaymentStore(database: try ServiceDatabase(path: path, migrations: migrations))
    }
}

extension Row {
    /// A `Money` from an amount column and the currency column beside it.
    func money(_ amountColumn: String, currency: String = "currency") throws -> Money {
        let code: String = self[currency]
        do {
            return Money(amountMinor: self[amountColumn], currency: try Currency(code: code))
        } catch {
            throw PaymentError.corruptRow("unknown currency \(code) in \(amountColumn)")
        }
    }
}
