import GRDB
import ServiceKit

extension OrderMigrations {
    /// The cart and the projections of other services' streams (catalog prices, customer snapshots and
    /// address books, account status).
    static let projections: [ServiceMigration] = []
}
