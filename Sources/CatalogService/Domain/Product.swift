import Contracts
import Foundation
import ServiceKit

/// A product's lifecycle state.
public enum ProductStatus: String, Codable, Sendable, CaseIterable {
    case draft = "DRAFT"
    case active = "ACTIVE"
    case discontinued = "DISCONTINUED"

    /// The transition table of API.md §3.1: publish a draft, discontinue, reactivate. Nothing goes back
    /// to draft, and a draft cannot be discontinued before it was ever sold.
    func canChange(to next: ProductStatus) -> Bool {
        switch (self, next) {
        case (.draft, .active), (.active, .discontinued), (.discontinued, .active): true
        default: false
        }
    }
}

/// Stock as the inventory service last reported it (summed over warehouses).
public struct Availability: Sendable, Equatable {
    public var inStock: Bool
    public var availableQuantity: Int
}

/// The published reviews' summary kept on the product.
public struct RatingSummary: Sendable, Equatable {
    public var sum: Int
    public var count: Int

    public static let none = RatingSummary(sum: 0, count: 0)

    /// The mean × 100 rounded half-up, 0 without reviews; integer arithmetic only.
    public var averageX100: Int {
        count == 0 ? 0 : (sum * 200 + count) / (2 * count)
    }

    func adding(_ rating: Int) -> RatingSummary { RatingSummary(sum: sum + rating, count: count + 1) }
}

/// A product as the catalog owns it.
public struct Product: Sendable, Equatable {
    public var id: String
    public var sku: String
    public var name: String
    public var description: String?
    public var price: Money
    public var status: ProductStatus
    /// In the order the administrator gave them.
    public var categoryIds: [String]
    /// Nil until inventory reported the product's stock for the first time.
    public var availability: Availability?
    public var rating: RatingSummary
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
}

/// What an administrator sends to create a product, already decoded.
public struct NewProduct: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var description: String?
    public var priceMinor: Int64
    public var currencyCode: String
    public var categoryIds: [String]
    public var status: ProductStatus

    public init(sku: String, name: String, description: String? = nil, priceMinor: Int64, currencyCode: String,
                categoryIds: [String] = [], status: ProductStatus = .active) {
        self.sku = sku
        self.name = name
        self.description = description
        self.priceMinor = priceMinor
        self.currencyCode = currencyCode
        self.categoryIds = categoryIds
        self.status = status
    }
}

/// What an administrator asks to change on a product; nil leaves a field as it is. `description` is
/// doubly optional: `.some(nil)` clears it.
public struct ProductChange: Sendable, Equatable {
    public var expectedVersion: Int
    public var name: String?
    public var description: String??
    public var priceMinor: Int64?
    public var currencyCode: String?
    public var categoryIds: [String]?
    public var status: ProductStatus?

    public init(expectedVersion: Int, name: String? = nil, description: String?? = nil, priceMinor: Int64? = nil,
                currencyCode: String? = nil, categoryIds: [String]? = nil, status: ProductStatus? = nil) {
        self.expectedVersion = expectedVersion
        self.name = name
        self.description = description
        self.priceMinor = priceMinor
        self.currencyCode = currencyCode
        self.categoryIds = categoryIds
        self.status = status
    }

    var namesAField: Bool {
        name != nil || description != nil || priceMinor != nil || categoryIds != nil || status != nil
    }
}

/// The field rules of API.md §3.1, shared by create and update.
enum ProductRules {
    static let skuLength = 1...64
    static let nameLength = 1...200
    static let descriptionMaximum = 10_000
    static let priceRange: ClosedRange<Int64> = 0...1_000_000_000_000
    static let categoryMaximum = 20

    static func isValidSKU(_ sku: String) -> Bool {
        skuLength.contains(sku.utf8.count) && sku.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    static func checkName(_ name: String, _ check: inout Validator) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        check.require(nameLength.contains(trimmed.count), "name", "must be 1 to 200 characters")
    }

    static func checkDescription(_ description: String?, _ check: inout Validator) {
        check.require((description?.count ?? 0) <= descriptionMaximum, "description", "must be at most 10000 characters")
    }

    static func checkPrice(_ amountMinor: Int64, _ check: inout Validator) {
        check.require(priceRange.contains(amountMinor), "price.amountMinor", "must be between 0 and 1000000000000")
    }

    static func checkCategories(_ ids: [String], _ check: inout Validator) {
        check.require(ids.count <= categoryMaximum, "categoryIds", "must list at most 20 categories")
    }

    static func problems(_ product: NewProduct) -> [FieldError] {
        var check = Validator()
        check.require(isValidSKU(product.sku), "sku", "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
        checkName(product.name, &check)
        checkDescription(product.description, &check)
        checkPrice(product.priceMinor, &check)
        checkCategories(product.categoryIds, &check)
        check.require(product.status != .discontinued, "status", "must be ACTIVE or DRAFT on creation")
        return check.errors
    }

    static func problems(_ change: ProductChange) -> [FieldError] {
        var check = Validator()
        check.require(change.expectedVersion >= 1, "version", "must be a positive integer")
        if let name = change.name { checkName(name, &check) }
        if let description = change.description { checkDescription(description, &check) }
        if let price = change.priceMinor { checkPrice(price, &check) }
        if let ids = change.categoryIds { checkCategories(ids, &check) }
        if !change.namesAField { check.add("body", "must change name, description, price, categoryIds or status") }
        return check.errors
    }

    /// The ids once each, in first-seen order (a repeated id is not an error).
    static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}
