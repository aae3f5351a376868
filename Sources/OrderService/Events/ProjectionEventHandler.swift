import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// The projections the cart and checkout read, applied inside the consumer runner's transaction (its
/// inbox makes a redelivered record a no-op; versions make a late one a no-op):
/// - `catalog.product.v1` → `catalog_price` (sku, name, price, status);
/// - `customer.customer.v1` → the customer snapshot (names, phone) and the address book;
/// - `iam.user.v1` → the email, and whether the account is disabled.
/// Other event types of these topics (ratings, role changes, …) are not ours: ignored.
///
/// Not subscribed by itself: the service runs one consumer whose `OrderEventDispatcher` hands these topics
/// here (two subscriptions in one group would split the partitions between them).
struct ProjectionEventHandler: Sendable {
    let clock: ServiceClock
    let logger: Logger

    static let topics = [Topics.catalogProduct, Topics.customerCustomer, Topics.iamUser]

    func apply(_ event: ReceivedEvent, _ db: Database) throws {
        // When the row changed at the source; the consumer's clock when the envelope lacks it.
        let at = event.occurredAt ?? clock.now()
        switch event.eventType {
        // catalog.product.v1
        case ProductCreated.eventType:
            let created = try event.decode(ProductCreated.self)
            try OrderStore.upsertProduct(ProjectedProduct(productId: created.productId, sku: created.sku, name: created.name,
                                                          price: created.price, status: created.status, version: created.version),
                                         at: at, db)
        case ProductUpdated.eventType:
            let updated = try event.decode(ProductUpdated.self)
            try OrderStore.updateProductDetails(productId: updated.productId, name: updated.name, status: updated.status,
                                                version: updated.version, at: at, db)
        case ProductPriceChanged.eventType:
            let changed = try event.decode(ProductPriceChanged.self)
            try OrderStore.updateProductPrice(productId: changed.productId, price: changed.newPrice, version: changed.version, at: at, db)
        case ProductDiscontinued.eventType:
            let discontinued = try event.decode(ProductDiscontinued.self)
            try OrderStore.updateProductStatus(productId: discontinued.productId, status: ProjectedProduct.discontinued,
                                               version: discontinued.version, at: at, db)
        case ProductReactivated.eventType:
            let reactivated = try event.decode(ProductReactivated.self)
            try OrderStore.updateProductStatus(productId: reactivated.productId, status: ProjectedProduct.active,
                                               version: reactivated.version, at: at, db)

        // customer.customer.v1
        case CustomerProfileCreated.eventType:
            let profile = try event.decode(CustomerProfileCreated.self)
            try OrderStore.upsertProfile(userId: profile.userId, email: profile.email, firstName: profile.firstName,
                                         lastName: profile.lastName, phone: profile.phoneNumber, version: profile.version, at: at, db)
        case CustomerProfileUpdated.eventType:
            let profile = try event.decode(CustomerProfileUpdated.self)
            try OrderStore.upsertProfile(userId: profile.userId, email: profile.email, firstName: profile.firstName,
                                         lastName: profile.lastName, phone: profile.phoneNumber, version: profile.version, at: at, db)
        case AddressAdded.eventType:
            let added = try event.decode(AddressAdded.self)
            try OrderStore.upsertAddress(userId: added.userId, added.entry, at: at, db)
        case AddressUpdated.eventType:
            let updated = try event.decode(AddressUpdated.self)
            try OrderStore.upsertAddress(userId: updated.userId, updated.entry, at: at, db)
        case AddressRemoved.eventType:
            let removed = try event.decode(AddressRemoved.self)
            try OrderStore.removeAddress(userId: removed.userId, addressId: removed.addressId, db)
        case DefaultAddressChanged.eventType:
            let changed = try event.decode(DefaultAddressChanged.self)
            try OrderStore.setDefaultAddresses(userId: changed.userId, shipping: changed.defaultShippingAddressId,
                                               billing: changed.defaultBillingAddressId, db)

        // iam.user.v1
        case UserRegistered.eventType:
            let registered = try event.decode(UserRegistered.self)
            try OrderStore.recordEmail(userId: registered.userId, email: registered.email, at: at, db)
        case UserAccountStatusChanged.eventType:
            let status = try event.decode(UserAccountStatusChanged.self)
            try OrderStore.recordAccountStatus(userId: status.userId, disabled: !status.enabled || status.locked, at: at, db)

        default:
            // ProductRatingUpdated, UserRoleChanged, UserDeleted, or a type newer than this version: not ours.
            logger.trace("event type not projected", metadata: ["eventType": "\(event.eventType)", "topic": "\(event.topic)"])
        }
    }
}
