import Contracts
import Foundation
import Logging
import ServiceKit

/// The projections, with the owners asked when they miss (API.md §1.9): catalog for a product, customer
/// for an address. An answer from an owner is upserted into the projection (version-gated, so it never
/// undoes a newer event) and then read back from it. The owner being unreachable — or no client secret
/// configured — is `OrderError.dependencyUnavailable` (503); the projection's own answers never need it.
public struct ProjectionReadThrough: Sendable {
    let store: OrderStore
    let catalog: CatalogReader
    let customer: CustomerReader
    let clock: ServiceClock

    /// The scopes of the order service's client (API.md §1.4).
    static let scope = "customer.read catalog.read inventory.read"

    init(store: OrderStore, catalog: CatalogReader, customer: CustomerReader, clock: ServiceClock) {
        self.store = store
        self.catalog = catalog
        self.customer = customer
        self.clock = clock
    }

    /// From the settings: one HTTP client (deadline `readTimeout` per attempt, retries for these GETs, a
    /// circuit breaker per upstream) and one cached client-credentials token shared by both owners.
    init(configuration: OrderConfiguration, store: OrderStore, clock: ServiceClock, logger: Logger) {
        var policy = ServiceHTTPClient.Policy()
        policy.timeout = configuration.readTimeout
        let http = ServiceHTTPClient(policy: policy)
        var token: ClientCredentialsToken?
        if let secret = configuration.clientSecret {
            token = ClientCredentialsToken(credentials: .init(tokenURL: configuration.tokenURL, clientId: configuration.clientId,
                                                              clientSecret: secret, scope: Self.scope), http: http)
        } else {
            logger.notice("SERVICE_CLIENT_ID/SERVICE_CLIENT_SECRET are not set: no read-through; a projection miss answers 503")
        }
        let reader = ServiceReader(http: http, token: token)
        self.init(store: store, catalog: CatalogReader(baseURL: configuration.catalogURL, reader: reader),
                  customer: CustomerReader(baseURL: configuration.customerURL, reader: reader), clock: clock)
    }

    /// The product from the projection, else from catalog (then projected). nil: catalog does not know it
    /// or it is a draft. A malformed id is nil without asking.
    func ensureProduct(productId: String) async throws -> ProjectedProduct? {
        if let projected = try await store.database.read({ db in try OrderStore.projectedProduct(id: productId, db) }) {
            return projected
        }
        guard UUID(uuidString: productId) != nil, let fetched = try await catalog.product(id: productId) else { return nil }
        let now = clock.now()
        return try await store.database.write { db in
            try OrderStore.upsertProduct(fetched, at: now, db)
            return try OrderStore.projectedProduct(id: productId, db)
        }
    }

    /// The user's address-book entry from the projection, else from customer (then projected). nil: it is
    /// not in that user's book (the checkout route answers 422). A malformed id is nil without asking.
    public func ensureAddress(userId: String, addressId: String) async throws -> AddressSnapshot? {
        let addressId = addressId.lowercased()
        if let projected = try await store.database.read({ db in
            try OrderStore.projectedAddress(userId: userId, addressId: addressId, db)
        }) {
            return projected
        }
        guard UUID(uuidString: addressId) != nil,
              let entry = try await customer.address(userId: userId, addressId: addressId) else { return nil }
        let now = clock.now()
        return try await store.database.write { db in
            try OrderStore.upsertAddress(userId: userId, entry, at: now, db)
            // Read back rather than trust `entry`: an address id owned by another user is never taken over.
            return try OrderStore.projectedAddress(userId: userId, addressId: entry.addressId, db)
        }
    }
}
