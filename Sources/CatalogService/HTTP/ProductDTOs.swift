import Contracts
import ServiceKit
import Foundation

/// A product on the wire (API.md §3). Optional fields are written as `null`, never left out:
/// `inStock`/`availableQuantity` are null until inventory reported the product's stock.
struct ProductDTO: Codable, Sendable {
    var id: String
    var sku: String
    var name: String
    var description: String?
    var price: Money
    var status: String
    var categoryIds: [String]
    var inStock: Bool?
    var availableQuantity: Int?
    var rating: RatingDTO
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    struct RatingDTO: Codable, Sendable {
        var averageX100: Int
        var count: Int
    }

    init(_ product: Product) {
        id = product.id
        sku = product.sku
        name = product.name
        description = product.description
        price = product.price
        status = product.status.rawValue
        categoryIds = product.categoryIds
        inStock = product.availability?.inStock
        availableQuantity = product.availability?.availableQuantity
        rating = RatingDTO(averageX100: product.rating.averageX100, count: product.rating.count)
        createdAt = product.createdAt
        updatedAt = product.updatedAt
        version = product.version
    }

    enum CodingKeys: String, CodingKey {
        case id, sku, name, description, price, status, categoryIds, inStock, availableQuantity, rating, createdAt, updatedAt, version
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(sku, forKey: .sku)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(price, forKey: .price)
        try container.encode(status, forKey: .status)
        try container.encode(categoryIds, forKey: .categoryIds)
        try container.encode(inStock, forKey: .inStock)
        try container.encode(availableQuantity, forKey: .availableQuantity)
        try container.encode(rating, forKey: .rating)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }

    /// Nullable fields are null in the example, so the schema derived from it (API.md's /openapi.json)
    /// admits both their values and null.
    static let example = ProductDTO(Product(
        id: "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b", sku: "TS-RED-M", name: "Red T-shirt", description: nil,
        price: Money(amountMinor: 1999, currency: .EUR), status: .active, categoryIds: ["0193a1b2-0000-7000-8000-000000000002"],
        availability: nil, rating: RatingSummary(sum: 9, count: 2),
        createdAt: Date(timeIntervalSince1970: 1_764_100_886.123), updatedAt: Date(timeIntervalSince1970: 1_764_100_886.123),
        version: 1))
}

/// `{items, nextCursor}`; `nextCursor` is null on the last page.
struct PageDTO<Item: Codable & Sendable>: Codable, Sendable {
    var items: [Item]
    var nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

extension PageDTO where Item == ProductDTO {
    static let example = PageDTO(items: [ProductDTO.example], nextCursor: nil)
}

/// A price as sent: the currency is read as text, so any currency other than `SHOP_CURRENCY` (known or
/// not) is the documented 422, not a decoding error.
struct PriceInput: Codable, Sendable {
    var amountMinor: Int64
    var currency: String

    init(amountMinor: Int64, currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        amountMinor = try container.decodeInteger(Int64.self, forKey: .amountMinor)
        currency = try container.decode(String.self, forKey: .currency)
    }
}

/// A price's fields as the document states them (`ProductRules` checks the same).
enum PriceInputRules {
    static let rules: [FieldRule<PriceInput>] = [
        .integer("amountMinor", \.amountMinor, ProductRules.priceRange),
        .text("currency", \.currency, length: 3...3, pattern: "[A-Z]{3}", patternMessage: "must be an ISO 4217 code such as EUR"),
    ]
}

struct CreateProductRequest: Codable, Sendable, ValidatedBody {
    var sku: String
    var name: String
    var description: String?
    var price: PriceInput
    var categoryIds: [String]?
    var status: String?

    static let example = CreateProductRequest(sku: "TS-RED-M", name: "Red T-shirt", description: "Organic cotton, medium",
                                              price: PriceInput(amountMinor: 1999, currency: "EUR"),
                                              categoryIds: ["0193a1b2-0000-7000-8000-000000000002"], status: "ACTIVE")

    static let rules: [FieldRule<Self>] = [
        .text("sku", \.sku, length: ProductRules.skuLength, pattern: "[A-Za-z0-9._-]+",
              patternMessage: "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'"),
        .text("name", \.name, length: ProductRules.nameLength),
        .text("description", \.description, length: 0...ProductRules.descriptionMaximum),
        .nested("price", \.price, PriceInputRules.rules),
        .items("categoryIds", \.categoryIds, count: 0...ProductRules.categoryMaximum),
        .oneOf("status", \.status, [ProductStatus.active.rawValue, ProductStatus.draft.rawValue]),
    ]

    /// The status on creation: ACTIVE unless DRAFT is asked for.
    var productStatus: ProductStatus? { status.map { ProductStatus(rawValue: $0) } ?? .active }

    var newProduct: NewProduct {
        NewProduct(sku: sku, name: name, description: description, priceMinor: price.amountMinor, currencyCode: price.currency,
                   categoryIds: categoryIds ?? [], status: productStatus ?? .active)
    }

    var problems: [FieldError] {
        var errors = ProductRules.problems(newProduct)
        if productStatus == nil || productStatus == .discontinued {
            errors.removeAll { $0.field == "status" }
            errors.append(FieldError(field: "status", message: "must be ACTIVE or DRAFT"))
        }
        return errors
    }
}

/// `PATCH /products/{id}`: `version` is required; absent fields stay, `description: null` clears the
/// description; `sku` is immutable, so sending it at all is a 400.
struct PatchProductRequest: Codable, Sendable, ValidatedBody {
    var version: Int
    var name: String?
    var description: String??
    var price: PriceInput?
    var categoryIds: [String]?
    var status: String?
    /// Whether the body named `sku` (refused: it is immutable). Optional only so that the schema derived
    /// from the example does not list it as a required field.
    var skuSent: Bool?

    enum CodingKeys: String, CodingKey { case version, name, description, price, categoryIds, status }
    enum ImmutableKeys: String, CodingKey { case sku }

    init(version: Int, name: String? = nil, description: String?? = nil, price: PriceInput? = nil, categoryIds: [String]? = nil,
         status: String? = nil) {
        self.version = version
        self.name = name
        self.description = description
        self.price = price
        self.categoryIds = categoryIds
        self.status = status
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        if container.contains(.description) {
            description = .some(try container.decodeIfPresent(String.self, forKey: .description))
        }
        price = try container.decodeIfPresent(PriceInput.self, forKey: .price)
        categoryIds = try container.decodeIfPresent([String].self, forKey: .categoryIds)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        skuSent = try decoder.container(keyedBy: ImmutableKeys.self).contains(.sku) ? true : nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(name, forKey: .name)
        if let description { try container.encode(description, forKey: .description) }
        try container.encodeIfPresent(price, forKey: .price)
        try container.encodeIfPresent(categoryIds, forKey: .categoryIds)
        try container.encodeIfPresent(status, forKey: .status)
    }

    static let example = PatchProductRequest(version: 1, name: "Red T-shirt (organic)", description: .some("Organic cotton"),
                                             price: PriceInput(amountMinor: 1799, currency: "EUR"),
                                             categoryIds: ["0193a1b2-0000-7000-8000-000000000002"], status: "ACTIVE")

    static let rules: [FieldRule<Self>] = [
        .integer("version", \.version, 1...Int64(Int32.max)),
        .text("name", \.name, length: ProductRules.nameLength),
        .text("description", \.descriptionText, length: 0...ProductRules.descriptionMaximum),
        .nested("price", \.price, PriceInputRules.rules),
        .items("categoryIds", \.categoryIds, count: 0...ProductRules.categoryMaximum),
        .oneOf("status", \.status, ProductStatus.allCases.map(\.rawValue)),
        .changesOneOf(["name", "description", "price", "categoryIds", "status"]) {
            $0.name != nil || $0.description != nil || $0.price != nil || $0.categoryIds != nil || $0.status != nil
        },
    ]

    /// The new description when one is given (nil when it is left out or cleared).
    var descriptionText: String? { description ?? nil }

    var change: ProductChange {
        ProductChange(expectedVersion: version, name: name, description: description, priceMinor: price?.amountMinor,
                      currencyCode: price?.currency, categoryIds: categoryIds, status: status.flatMap(ProductStatus.init(rawValue:)))
    }

    var problems: [FieldError] {
        var errors: [FieldError] = []
        if skuSent == true { errors.append(FieldError(field: "sku", message: "cannot be changed")) }
        if let status, ProductStatus(rawValue: status) == nil {
            errors.append(FieldError(field: "status", message: "must be DRAFT, ACTIVE or DISCONTINUED"))
        }
        let known = Set(errors.map(\.field))
        var rest = ProductRules.problems(change)
        // An unreadable status is reported above; without it the body may look empty, which it is not.
        if status != nil { rest.removeAll { $0.field == "body" } }
        return errors + rest.filter { !known.contains($0.field) }
    }
}
