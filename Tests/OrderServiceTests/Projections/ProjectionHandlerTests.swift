import Contracts
import Foundation
import GRDB
import Logging
@testable import OrderService
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// The projections the cart and checkout read, fed through `ProjectionEventHandler` against a real
/// SQLite file: versions keep stale events out, removal removes, IAM's status flips the account.
@Suite struct ProjectionHandlerTests {
    let store: OrderStore
    let path: String
    let handler = ProjectionEventHandler(clock: ServiceClock { Date(timeIntervalSince1970: 1_800_000_000) }, logger: Logger(label: "test"))

    init() throws {
        path = NSTemporaryDirectory() + "order-projections-" + UUID().uuidString.lowercased() + ".sqlite"
        store = try OrderStore.open(path: path)
    }

    func apply<E: DomainEvent>(_ event: E) async throws {
        let received = try CartEvents.received(event)
        try await store.database.write { [handler] db in try handler.apply(received, db) }
    }

    func product(_ id: String) async throws -> ProjectedProduct? {
        try await store.database.read { db in try OrderStore.projectedProduct(id: id, db) }
    }

    func eur(_ minor: Int64) -> Money { Money(amountMinor: minor, currency: .EUR) }

    // MARK: catalog.product.v1

    @Test func catalogEventsKeepTheNewestPriceNameAndStatus() async throws {
        let id = UUID().uuidString.lowercased()
        let at = Date()
        try await apply(ProductCreated(productId: id, sku: "TS-RED-M", name: "Red T-shirt", description: nil, price: eur(1999),
                                       categoryIds: [], status: "ACTIVE", version: 1, createdAt: at))
        #expect(try await product(id) == ProjectedProduct(productId: id, sku: "TS-RED-M", name: "Red T-shirt", price: eur(1999),
                                                          status: "ACTIVE", version: 1))

        try await apply(ProductPriceChanged(productId: id, oldPrice: eur(1999), newPrice: eur(1499), effectiveAt: at, version: 2))
        try await apply(ProductUpdated(productId: id, name: "Red T-shirt (organic)", description: nil, categoryIds: [], status: "ACTIVE",
                                       changedFields: ["name"], version: 3, updatedAt: at))
        #expect(try await product(id)?.price == eur(1499))
        #expect(try await product(id)?.name == "Red T-shirt (organic)")

        // Stale: a price and a name of older versions change nothing.
        try await apply(ProductPriceChanged(productId: id, oldPrice: eur(1999), newPrice: eur(999), effectiveAt: at, version: 2))
        try await apply(ProductUpdated(productId: id, name: "Old name", description: nil, categoryIds: [], status: "DRAFT",
                                       changedFields: ["name"], version: 1, updatedAt: at))
        try await apply(ProductCreated(productId: id, sku: "TS-RED-M", name: "Red T-shirt", description: nil, price: eur(1999),
                                       categoryIds: [], status: "ACTIVE", version: 1, createdAt: at))
        #expect(try await product(id) == ProjectedProduct(productId: id, sku: "TS-RED-M", name: "Red T-shirt (organic)",
                                                          price: eur(1499), status: "ACTIVE", version: 3))

        try await apply(ProductDiscontinued(productId: id, reason: "end of line", version: 4, at: at))
        #expect(try await product(id)?.status == "DISCONTINUED")
        try await apply(ProductReactivated(productId: id, reason: nil, version: 5, at: at))
        #expect(try await product(id)?.status == "ACTIVE")
        // A redelivered discontinuation (version 4) does not undo the reactivation.
        try await apply(ProductDiscontinued(productId: id, reason: "end of line", version: 4, at: at))
        let reactivated = try await product(id)
        #expect(reactivated?.status == "ACTIVE" && reactivated?.version == 5)
    }

    @Test func updatesOfAProductNeverCreatedAndOtherEventTypesAreIgnored() async throws {
        let id = UUID().uuidString.lowercased()
        try await apply(ProductPriceChanged(productId: id, oldPrice: eur(1), newPrice: eur(2), effectiveAt: Date(), version: 2))
        try await apply(ProductUpdated(productId: id, name: "n", description: nil, categoryIds: [], status: "ACTIVE", changedFields: [],
                                       version: 2, updatedAt: Date()))
        try await apply(ProductRatingUpdated(productId: id, ratingAverageX100: 450, ratingCount: 2, at: Date()))
        try await apply(UserRoleChanged(userId: id, oldRoles: [], newRoles: ["admin"], changedBy: nil))
        #expect(try await product(id) == nil)
    }

    // MARK: customer.customer.v1 and iam.user.v1

    @Test func theCustomerSnapshotTakesTheNewestProfileAndIAMsEmail() async throws {
        let user = UUID().uuidString.lowercased()
        let snapshot = { [store] in try await store.database.read { db in try OrderStore.customerSnapshot(userId: user, db) } }
        #expect(try await snapshot() == CustomerSnapshot())

        try await apply(UserRegistered(userId: user, email: "ada@example.com", roles: ["customer"], registeredAt: Date()))
        #expect(try await snapshot() == CustomerSnapshot(email: "ada@example.com"))
        try await apply(CustomerProfileCreated(userId: user, email: nil, firstName: nil, lastName: nil, phoneNumber: nil, version: 1,
                                               createdAt: Date()))
        #expect(try await snapshot() == CustomerSnapshot(email: "ada@example.com"))
        try await apply(CustomerProfileUpdated(userId: user, email: "ada@example.com", firstName: "Ada", lastName: "Lovelace",
                                               phoneNumber: "+44 1", version: 2, updatedAt: Date()))
        #expect(try await snapshot() == CustomerSnapshot(email: "ada@example.com", name: "Ada Lovelace", phone: "+44 1"))
        // A stale profile (version 1 again) changes nothing.
        try await apply(CustomerProfileUpdated(userId: user, email: "old@example.com", firstName: "Old", lastName: nil, phoneNumber: nil,
                                               version: 1, updatedAt: Date()))
        #expect(try await snapshot() == CustomerSnapshot(email: "ada@example.com", name: "Ada Lovelace", phone: "+44 1"))
    }

    @Test func theAddressBookFollowsAddedUpdatedDefaultAndRemoved() async throws {
        let user = UUID().uuidString.lowercased()
        let home = UUID().uuidString.lowercased()
        let work = UUID().uuidString.lowercased()
        let lookup = { [store] (id: String, owner: String) in
            try await store.database.read { db in try OrderStore.addressFromBook(userId: owner, addressId: id, db) }
        }
        let flags = { [store] (id: String) in
            try await store.database.read { db in
                try Row.fetchOne(db, sql: "SELECT is_default_shipping, is_default_billing FROM customer_address WHERE address_id = ?",
                                 arguments: [id]).map { [$0[0] as Bool, $0[1] as Bool] }
            }
        }
        try await apply(AddressAdded(userId: user, entry: CartEvents.address(home, defaultShipping: true)))
        try await apply(AddressAdded(userId: user, entry: CartEvents.address(work, city: "Cambridge")))
        #expect(try await lookup(home, user) == CartEvents.address(home).address)
        #expect(try await lookup(work, user)?.city == "Cambridge")
        // Someone else's book does not have it.
        #expect(try await lookup(home, UUID().uuidString.lowercased()) == nil)

        try await apply(AddressUpdated(userId: user, entry: CartEvents.address(home, city: "Oxford", version: 2)))
        try await apply(AddressUpdated(userId: user, entry: CartEvents.address(home, city: "Stale", version: 1)))
        #expect(try await lookup(home, user)?.city == "Oxford")

        try await apply(DefaultAddressChanged(userId: user, defaultShippingAddressId: work, defaultBillingAddressId: work))
        #expect(try await flags(work) == [true, true])
        #expect(try await flags(home) == [false, false])

        try await apply(AddressRemoved(userId: user, addressId: home))
        #expect(try await lookup(home, user) == nil)
        #expect(try await lookup(work, user) != nil)
    }

    @Test func anAccountIsDisabledWhileNotEnabledOrLocked() async throws {
        let user = UUID().uuidString.lowercased()
        let disabled = { [store] in try await store.database.read { db in try OrderStore.isAccountDisabled(userId: user, db) } }
        let status = { (enabled: Bool, locked: Bool) in
            UserAccountStatusChanged(userId: user, enabled: enabled, locked: locked, expired: false, credentialsExpired: false,
                                     reason: "test")
        }
        #expect(try await disabled() == false)
        try await apply(status(false, false))
        #expect(try await disabled() == true)
        try await apply(status(true, false))
        #expect(try await disabled() == false)
        try await apply(status(true, true))
        #expect(try await disabled() == true)
        try await apply(status(true, false))
        #expect(try await disabled() == false)
        // The profile arriving later keeps the status.
        try await apply(status(false, false))
        try await apply(CustomerProfileCreated(userId: user, email: "a@example.com", firstName: "A", lastName: "B", phoneNumber: nil,
                                               version: 1, createdAt: Date()))
        #expect(try await disabled() == true)
    }

    // MARK: The dispatcher

    @Test func theDispatcherHandsEachTopicToItsHandlers() async throws {
        final class Seen: Sendable {
            let types = Mutex<[String]>([])
        }
        let sagaSaw = Seen()
        let dispatcher = OrderEventDispatcher(projections: handler, saga: (topics: [Topics.inventoryStock, Topics.iamUser], handler: { event, _ in
            sagaSaw.types.withLock { $0.append(event.eventType) }
        }))
        #expect(dispatcher.topics == [Topics.catalogProduct, Topics.customerCustomer, Topics.iamUser, Topics.inventoryStock])
        #expect(dispatcher.subscription().topics == dispatcher.topics)
        let id = UUID().uuidString.lowercased()
        let created = try CartEvents.received(ProductCreated(productId: id, sku: "S", name: "N", description: nil, price: eur(1),
                                                             categoryIds: [], status: "ACTIVE", version: 1, createdAt: Date()))
        let registered = try CartEvents.received(UserRegistered(userId: id, email: "x@example.com", roles: [], registeredAt: Date()))
        try await store.database.write { db in
            try dispatcher.apply(created, db)
            try dispatcher.apply(registered, db)
        }
        #expect(try await product(id) != nil)
        #expect(sagaSaw.types.withLock { $0 } == ["UserRegistered"])
        #expect(OrderEventDispatcher(projections: handler).topics == ProjectionEventHandler.topics)
    }
}
