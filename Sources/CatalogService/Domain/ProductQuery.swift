import Foundation
import ServiceKit

/// The orders a product list can come in; every one ends with the id so the order is total.
public enum ProductSort: String, Sendable, CaseIterable {
    /// `createdAt` descending, then id descending.
    case newest
    /// Best full-text match first (FTS5 bm25, name weighted above description), then id; only with `q`.
    /// bm25 depends on the whole index's statistics, so writes between two pages can move a product's
    /// rank; the other sorts are on stored values and page exactly under concurrent writes.
    case relevance
    case priceAscending = "price_asc"
    case priceDescending = "price_desc"
    /// Case-insensitive name, then id.
    case nameAscending = "name_asc"
}

/// A validated product list request: filters, order and the page window.
public struct ProductQuery: Sendable, Equatable {
    /// The whole subtree of this category.
    public var categoryId: String?
    /// The words of `q`, lower-cased; every one must match, the last as a prefix.
    public var searchTerms: [String]
    public var minPriceMinor: Int64?
    public var maxPriceMinor: Int64?
    public var status: ProductStatus
    public var sort: ProductSort
    public var limit: Int
    public var after: ListPosition?

    public init(categoryId: String? = nil, searchTerms: [String] = [], minPriceMinor: Int64? = nil,
                maxPriceMinor: Int64? = nil, status: ProductStatus = .active, sort: ProductSort? = nil,
                limit: Int = 20, after: ListPosition? = nil) {
        self.categoryId = categoryId
        self.searchTerms = searchTerms
        self.minPriceMinor = minPriceMinor
        self.maxPriceMinor = maxPriceMinor
        self.status = status
        self.sort = sort ?? (searchTerms.isEmpty ? .newest : .relevance)
        self.limit = limit
        self.after = after
    }

    /// Everything that decides which rows and in which order, but not the window (`limit`, `after`):
    /// a cursor is valid exactly for the queries with its fingerprint.
    public var fingerprint: String {
        var parts = ["products", "sort=\(sort.rawValue)", "status=\(status.rawValue)"]
        parts.append("category=\(categoryId ?? "")")
        parts.append("q=\(searchTerms.joined(separator: " "))")
        parts.append("min=\(minPriceMinor.map(String.init) ?? "")")
        parts.append("max=\(maxPriceMinor.map(String.init) ?? "")")
        return parts.joined(separator: "|")
    }

    /// The FTS5 MATCH expression: each word quoted as a string (so no input can be FTS syntax), all of
    /// them required (implicit AND), the last one a prefix.
    var matchExpression: String? {
        guard !searchTerms.isEmpty else { return nil }
        return searchTerms.enumerated().map { index, term in
            let quoted = "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return index == searchTerms.count - 1 ? quoted + "*" : quoted
        }.joined(separator: " ")
    }
}

/// One page of a keyset-paged list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Where the next page starts; nil on the last page.
    public var next: ListPosition?
}

enum SearchText {
    static let length = 1...200
    static let maximumTerms = 32

    /// The words of a search: maximal runs of letters and digits, lower-cased. Everything else separates
    /// words (the FTS tokenizer folds diacritics and case itself).
    static func terms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                terms.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { terms.append(current.lowercased()) }
        return terms
    }
}
