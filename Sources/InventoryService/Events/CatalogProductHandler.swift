import Contracts
import Foundation
import GRDB
import ServiceKit

/// The products inventory knows from `catalog.product.v1`, so `GET /inventory/{id}` answers zeros for a
/// product that exists but was never stocked. Other product events are not inventory's business.
struct CatalogProductHandler: Sendable {
    let clock: ServiceClock

    func handle(_ event: ReceivedEvent, _ db: Database) throws {
        switch event.eventType {
        case ProductCreated.eventType:
            let created = try event.decode(ProductCreated.self)
            try InventoryStore.learnProduct(id: created.productId.lowercased(), sku: created.sku, now: clock.now(), db)
        case ProductDiscontinued.eventType:
            let discontinued = try event.decode(ProductDiscontinued.self)
            try InventoryStore.discontinueProduct(id: discontinued.productId.lowercased(), at: discontinued.at, now: clock.now(), db)
        default:
            break
        }
    }
}
