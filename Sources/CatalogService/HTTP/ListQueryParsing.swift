import Hummingbird
import ServiceKit

/// Reads the query of `GET /products` and `GET /categories/{id}/products` (API.md §3.1), answering every
/// bad parameter at once with 400, and a non-admin's request for non-ACTIVE products with 403.
enum ListQueryParsing {
    static let limitRange = 1...100
    static let priceRange = 0...1_000_000_000_000

    static let productQueryDocs: [OperationDoc.QueryParameter] = [
        .string("categoryId", "products in this category or any descendant (unknown id: empty page)", length: 1...Int(Int32.max)),
        .string("q", "full-text search over name and description, 1–200 characters with a letter or digit; every word must match, the last as a prefix",
                length: SearchText.length),
        .integer("minPriceMinor", priceRange, "inclusive lower bound of price.amountMinor"),
        .integer("maxPriceMinor", priceRange, "inclusive upper bound of price.amountMinor (not below minPriceMinor)"),
        .oneOf("sort", ProductSort.allCases.map(\.rawValue), "newest (default without q), relevance (default with q; only with q), price_asc, price_desc, name_asc"),
        .oneOf("status", ProductStatus.allCases.map(\.rawValue), "ACTIVE (default); DRAFT and DISCONTINUED for administrators only"),
        .integer("limit", limitRange, "page size, default 20"),
        .string("cursor", "nextCursor of the previous page, with the same filters and sort", length: 1...Int(Int32.max)),
    ]

    static let pageQueryDocs: [OperationDoc.QueryParameter] = [
        .integer("limit", limitRange, "page size, default 20"),
        .string("cursor", "nextCursor of the previous page", length: 1...Int(Int32.max)),
    ]

    /// - Parameter scope: the category of `GET /categories/{id}/products` (its `categoryId` parameter is
    ///   then ignored); part of the query a cursor is bound to.
    static func productQuery(_ request: Request, isAdmin: Bool, scope: String? = nil) throws -> ProductQuery {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? { parameters.get(name) }
        var check = Validator()
        var query = ProductQuery()

        if let scope {
            query.categoryId = scope
        } else if let categoryId = value("categoryId") {
            check.require(!categoryId.isEmpty, "categoryId", "must not be empty")
            query.categoryId = categoryId
        }
        if let text = value("q") {
            let terms = SearchText.terms(text)
            if !SearchText.length.contains(text.count) {
                check.add("q", "must be 1 to 200 characters")
            } else if terms.isEmpty {
                check.add("q", "must contain a letter or a digit")
            } else if terms.count > SearchText.maximumTerms {
                check.add("q", "must have at most \(SearchText.maximumTerms) words")
            }
            query.searchTerms = terms
        }
        let minimum = value("minPriceMinor").map { check.integer($0, "minPriceMinor", default: 0, range: priceRange) }
        let maximum = value("maxPriceMinor").map { check.integer($0, "maxPriceMinor", default: 0, range: priceRange) }
        query.minPriceMinor = minimum.map(Int64.init)
        query.maxPriceMinor = maximum.map(Int64.init)
        if let minimum, let maximum, minimum > maximum, check.errors.isEmpty {
            check.add("minPriceMinor", "must not be greater than maxPriceMinor")
        }
        var sort: ProductSort?
        if let text = value("sort") {
            sort = ProductSort(rawValue: text)
            check.require(sort != nil, "sort", "must be one of newest, relevance, price_asc, price_desc, name_asc")
            if sort == .relevance, query.searchTerms.isEmpty, value("q") == nil {
                check.add("sort", "relevance needs a search text q")
            }
        }
        query.sort = sort ?? (query.searchTerms.isEmpty ? .newest : .relevance)
        if let text = value("status") {
            let status = ProductStatus(rawValue: text)
            check.require(status != nil, "status", "must be ACTIVE, DRAFT or DISCONTINUED")
            query.status = status ?? .active
        }
        query.limit = check.integer(value("limit"), "limit", default: 20, range: limitRange)
        try check.finish()
        if query.status != .active, !isAdmin { throw CatalogError.statusNotListable(query.status) }
        if let cursor = value("cursor") {
            guard let position = ListCursor.decode(cursor, fingerprint: query.fingerprint) else { throw CatalogError.invalidCursor }
            query.after = position
        }
        return query
    }

    /// `limit` and `cursor` of a plain keyset-paged list bound to `fingerprint`.
    static func window(_ request: Request, fingerprint: String) throws -> (limit: Int, after: ListPosition?) {
        var check = Validator()
        let limit = check.integer(request.uri.queryParameters.get("limit"), "limit", default: 20, range: limitRange)
        try check.finish()
        guard let cursor = request.uri.queryParameters.get("cursor") else { return (limit, nil) }
        guard let position = ListCursor.decode(cursor, fingerprint: fingerprint) else { throw CatalogError.invalidCursor }
        return (limit, position)
    }
}
