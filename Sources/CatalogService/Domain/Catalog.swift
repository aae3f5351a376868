import Contracts
import Foundation
import ServiceKit

/// The catalog's use cases over its store: products, the category tree, listings and reviews. The HTTP
/// layer decodes and authorizes; the rules live here and in the store's transactions.
public struct Catalog: Sendable {
    public let store: CatalogStore
    public let configuration: CatalogConfiguration
    let clock: ServiceClock

    public init(store: CatalogStore, configuration: CatalogConfiguration = CatalogConfiguration(), clock: ServiceClock = .system) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    // MARK: Products

    public func createProduct(_ new: NewProduct, metadata: EventMetadata = EventMetadata()) async throws -> Product {
        let problems = ProductRules.problems(new)
        guard problems.isEmpty else { throw CatalogError.validation(problems) }
        let currency = configuration.currency
        guard new.currencyCode == currency.code else {
            throw CatalogError.currencyNotAccepted(given: new.currencyCode, accepted: currency)
        }
        let now = Millis.truncate(clock.now())
        let product = Product(
            id: CatalogID.make(at: now), sku: new.sku, name: new.name.trimmingCharacters(in: .whitespacesAndNewlines),
            description: new.description, price: Money(amountMinor: new.priceMinor, currency: currency), status: new.status,
            categoryIds: ProductRules.unique(new.categoryIds), availability: nil, rating: .none,
            createdAt: now, updatedAt: now, version: 1)
        try await store.insertProduct(product, metadata: metadata)
        return product
    }

    /// A product as `viewer` may see it: drafts only for administrators; malformed ids are unknown ones.
    public func product(id: String, includeDrafts: Bool) async throws -> Product {
        guard CatalogID.isCanonical(id), let product = try await store.product(id: id),
              includeDrafts || product.status != .draft else { throw CatalogError.productNotFound }
        return product
    }

    public func updateProduct(id: String, change: ProductChange, metadata: EventMetadata = EventMetadata()) async throws -> Product {
        guard CatalogID.isCanonical(id) else { throw CatalogError.productNotFound }
        let problems = ProductRules.problems(change)
        guard problems.isEmpty else { throw CatalogError.validation(problems) }
        return try await store.updateProduct(id: id, change: change, currency: configuration.currency, now: clock.now(),
                                             metadata: metadata)
    }

    public func listProducts(_ query: ProductQuery) async throws -> Page<Product> {
        try await store.listProducts(query)
    }

    /// The products of a category's subtree; `categoryNotFound` for an unknown category.
    public func listProducts(inCategory id: String, _ query: ProductQuery) async throws -> Page<Product> {
        guard CatalogID.isCanonical(id), try await store.category(id: id) != nil else { throw CatalogError.categoryNotFound }
        var scoped = query
        scoped.categoryId = id
        return try await store.listProducts(scoped)
    }

    // MARK: Categories

    /// The whole tree: the roots with their nested children, siblings by name.
    public func categoryTree() async throws -> [CategoryNode] {
        CategoryNode.forest(try await store.allCategories())
    }

    /// One category with its subtree.
    public func category(id: String) async throws -> CategoryNode {
        guard CatalogID.isCanonical(id), let subtree = try await store.subtree(of: id),
              let node = CategoryNode.forest(subtree).first(where: { $0.category.id == id }) else {
            throw CatalogError.categoryNotFound
        }
        return node
    }

    public func createCategory(name: String, parentId: String?, metadata: EventMetadata = EventMetadata()) async throws -> Category {
        var check = Validator()
        CategoryRules.checkName(name, &check)
        guard check.errors.isEmpty else { throw CatalogError.validation(check.errors) }
        let now = clock.now()
        return try await store.insertCategory(id: CatalogID.make(at: now), name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                                              parentId: parentId, maxDepth: configuration.maxCategoryDepth, now: now,
                                              metadata: metadata)
    }

    public func updateCategory(id: String, change: CategoryChange, metadata: EventMetadata = EventMetadata()) async throws -> CategoryNode {
        guard CatalogID.isCanonical(id) else { throw CatalogError.categoryNotFound }
        var check = Validator()
        check.require(change.expectedVersion >= 1, "version", "must be a positive integer")
        if let name = change.name { CategoryRules.checkName(name, &check) }
        if change.name == nil && change.parentId == nil { check.add("body", "must change name or parentId") }
        guard check.errors.isEmpty else { throw CatalogError.validation(check.errors) }
        _ = try await store.updateCategory(id: id, change: change, maxDepth: configuration.maxCategoryDepth, now: clock.now(),
                                           metadata: metadata)
        return try await category(id: id)
    }

    public func deleteCategory(id: String, metadata: EventMetadata = EventMetadata()) async throws {
        guard CatalogID.isCanonical(id) else { throw CatalogError.categoryNotFound }
        try await store.deleteCategory(id: id, now: clock.now(), metadata: metadata)
    }

    // MARK: Reviews

    /// Published reviews of a visible product, newest first.
    public func reviews(productId: String, limit: Int, after: ListPosition?) async throws -> Page<Review> {
        _ = try await product(id: productId, includeDrafts: false)
        return try await store.publishedReviews(productId: productId, limit: limit, after: after)
    }

    /// One published review of a visible product (the `Location` of a created review).
    public func review(id: String, productId: String) async throws -> Review {
        _ = try await product(id: productId, includeDrafts: false)
        guard CatalogID.isCanonical(id), let review = try await store.publishedReview(id: id, productId: productId) else {
            throw CatalogError.reviewNotFound
        }
        return review
    }

    /// Checks in API.md's order: 404 (unknown or draft product), 400, 403 (no delivered order), 409.
    public func submitReview(productId: String, userId: String, _ new: NewReview,
                             metadata: EventMetadata = EventMetadata()) async throws -> Review {
        _ = try await product(id: productId, includeDrafts: false)
        let problems = new.problems
        guard problems.isEmpty else { throw CatalogError.validation(problems) }
        let now = Millis.truncate(clock.now())
        let review = Review(id: CatalogID.make(at: now), productId: productId, userId: userId, rating: new.rating,
                            title: new.title, comment: new.comment, status: .pending, verifiedPurchase: false,
                            createdAt: now, updatedAt: now)
        return try await store.insertReview(review, metadata: metadata)
    }

    /// The cursor fingerprint of a product's review list.
    static func reviewFingerprint(productId: String) -> String { "reviews|product=\(productId)" }
}
