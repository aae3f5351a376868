import Foundation
import ShopTestSupport
import Testing

@testable import CatalogService

@Suite("Listing: filters, sorts, keyset paging and cursors")
struct ListingTests {
    /// Every page of `query`, following the cursors.
    static func allPages(_ fixture: CatalogFixture, _ query: ProductQuery) async throws -> [Product] {
        var query = query
        var items: [Product] = []
        for _ in 0..<10_000 {
            let page = try await fixture.catalog.listProducts(query)
            items += page.items
            guard let next = page.next else { return items }
            query.after = next
        }
        throw TestFailure("paging did not end")
    }

    @Test func categoryFilterCoversTheWholeSubtree() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let apparel = try await fixture.category("Apparel")
        let shirts = try await fixture.category("Shirts", parent: apparel.id)
        let tees = try await fixture.category("Tees", parent: shirts.id)
        let books = try await fixture.category("Books")
        let inTees = try await fixture.product("TEE", categories: [tees.id])
        let inApparel = try await fixture.product("COAT", categories: [apparel.id])
        try await fixture.product("NOVEL", categories: [books.id])
        try await fixture.product("LOOSE")

        let apparelItems = try await fixture.catalog.listProducts(ProductQuery(categoryId: apparel.id)).items.map(\.id)
        #expect(Set(apparelItems) == [inTees.id, inApparel.id])
        #expect(try await fixture.catalog.listProducts(ProductQuery(categoryId: shirts.id)).items.map(\.id) == [inTees.id])
        #expect(try await fixture.catalog.listProducts(ProductQuery(categoryId: "0193a1b2-0000-7000-8000-00000000ffff")).items.isEmpty)
        #expect(try await fixture.catalog.listProducts(inCategory: apparel.id, ProductQuery()).items.count == 2)
        #expect(await catalogError { try await fixture.catalog.listProducts(inCategory: "nope", ProductQuery()) } == .categoryNotFound)
    }

    @Test func priceBoundsAreInclusiveAndStatusFilters() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        for price in [100, 200, 300, 400] as [Int64] { try await fixture.product("P-\(price)", price: price) }
        try await fixture.product("DRAFT", price: 250, status: .draft)
        let prices = try await fixture.catalog.listProducts(ProductQuery(minPriceMinor: 200, maxPriceMinor: 300, sort: .priceAscending))
            .items.map(\.price.amountMinor)
        #expect(prices == [200, 300])
        let drafts = try await fixture.catalog.listProducts(ProductQuery(status: .draft)).items.map(\.sku)
        #expect(drafts == ["DRAFT"])
    }

    @Test func sortsAreTotalWithIdAsTiebreak() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        var made: [Product] = []
        for (index, (name, price)) in [("banana", 300), ("Apple", 100), ("cherry", 300), ("apple", 200)].enumerated() {
            made.append(try await fixture.product("S-\(index)", name: name, price: Int64(price)))
        }
        let newest = try await fixture.catalog.listProducts(ProductQuery(sort: .newest)).items.map(\.sku)
        #expect(newest == ["S-3", "S-2", "S-1", "S-0"])
        let ascending = try await fixture.catalog.listProducts(ProductQuery(sort: .priceAscending)).items
        #expect(ascending.map(\.price.amountMinor) == [100, 200, 300, 300])
        let tied = made.filter { $0.price.amountMinor == 300 }.map(\.id).sorted()
        #expect(ascending.suffix(2).map(\.id) == tied)
        let descending = try await fixture.catalog.listProducts(ProductQuery(sort: .priceDescending)).items
        #expect(descending.map(\.price.amountMinor) == [300, 300, 200, 100])
        #expect(descending.prefix(2).map(\.id) == tied.reversed())
        let names = try await fixture.catalog.listProducts(ProductQuery(sort: .nameAscending)).items.map(\.name)
        #expect(names.map { $0.lowercased() } == ["apple", "apple", "banana", "cherry"])
    }

    @Test(arguments: [ProductSort.newest, .priceAscending, .priceDescending, .nameAscending])
    func pagingVisitsEveryProductOnceInOrder(sort: ProductSort) async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        var random = SplitMix64(seed: 11)
        var ids: [String] = []
        for index in 0..<47 {
            let price = Int64(random.next() % 5) * 100  // many ties
            ids.append(try await fixture.product("K-\(index)", name: "Name \(random.next() % 7)", price: price).id)
        }
        let whole = try await fixture.catalog.listProducts(ProductQuery(sort: sort, limit: 100)).items.map(\.id)
        let paged = try await Self.allPages(fixture, ProductQuery(sort: sort, limit: 6)).map(\.id)
        #expect(paged == whole)
        #expect(Set(paged) == Set(ids) && paged.count == ids.count)
    }

    @Test func cursorsAreBoundToTheirQueryAndTamperEvident() async throws {
        let query = ProductQuery(categoryId: "c", minPriceMinor: 5, sort: .priceAscending, limit: 3)
        let position = ListPosition(key: .integer(500), id: "0193a1b2-0000-7000-8000-000000000001")
        let cursor = ListCursor.encode(position, fingerprint: query.fingerprint)
        #expect(ListCursor.decode(cursor, fingerprint: query.fingerprint) == position)
        var otherLimit = query
        otherLimit.limit = 50
        #expect(ListCursor.decode(cursor, fingerprint: otherLimit.fingerprint) == position)

        for other in [ProductQuery(categoryId: "c", minPriceMinor: 6, sort: .priceAscending),
                      ProductQuery(categoryId: "c", minPriceMinor: 5, sort: .priceDescending),
                      ProductQuery(categoryId: "d", minPriceMinor: 5, sort: .priceAscending),
                      ProductQuery(categoryId: "c", minPriceMinor: 5, status: .draft, sort: .priceAscending)] {
            #expect(ListCursor.decode(cursor, fingerprint: other.fingerprint) == nil)
        }
        var damaged = Array(cursor)
        damaged[4] = damaged[4] == "A" ? "B" : "A"
        #expect(ListCursor.decode(String(damaged), fingerprint: query.fingerprint) == nil)
        #expect(ListCursor.decode("", fingerprint: query.fingerprint) == nil)
        #expect(ListCursor.decode("not a cursor", fingerprint: query.fingerprint) == nil)
        #expect(ListCursor.decode(String(cursor.dropLast()), fingerprint: query.fingerprint) == nil)

        let relevance = ListPosition(key: .real(-1.2345678901234567e-6), id: "x")
        #expect(ListCursor.decode(ListCursor.encode(relevance, fingerprint: "f"), fingerprint: "f") == relevance)
    }

    /// Keyset paging under concurrent writes: while one task pages through 1,000 products (newest first
    /// and by price), another inserts more. Every product present at the start is returned exactly once
    /// and nothing is returned twice.
    @Test(arguments: [ProductSort.newest, .priceAscending])
    func pagingIsConsistentUnderConcurrentInserts(sort: ProductSort) async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        var random = SplitMix64(seed: 1000)
        var initial: [Product] = []
        for index in 0..<1000 {
            initial.append(try await fixture.product("INIT-\(index)", price: Int64(random.next() % 50) * 10))
        }
        let initialIds = Set(initial.map(\.id))
        let seenIds = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var random = SplitMix64(seed: 2000)
                for index in 0..<300 {
                    try await fixture.product("LATE-\(index)", price: Int64(random.next() % 50) * 10)
                    await Task.yield()
                }
                return []
            }
            group.addTask {
                var seen: [String] = []
                var query = ProductQuery(sort: sort, limit: 25)
                while true {
                    let page = try await fixture.catalog.listProducts(query)
                    seen += page.items.map(\.id)
                    guard let next = page.next else { return seen }
                    query.after = next
                    await Task.yield()
                }
            }
            var all: [[String]] = []
            for try await ids in group { all.append(ids) }
            return all.flatMap { $0 }
        }
        #expect(seenIds.count == Set(seenIds).count, "no product is returned twice")
        #expect(initialIds.isSubset(of: Set(seenIds)), "every product present at the start is returned")
    }
}

@Suite("Full-text search: prefixes, diacritics, relevance, hostile input")
struct SearchTests {
    @Test func lastWordMatchesAsAPrefixAndEveryWordMustMatch() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let red = try await fixture.product("T-1", name: "Red T-shirt", description: "Organic cotton")
        try await fixture.product("T-2", name: "Blue T-shirt", description: "Polyester")
        let search = { (text: String) in
            try await fixture.catalog.listProducts(ProductQuery(searchTerms: SearchText.terms(text))).items.map(\.id)
        }
        #expect(try await search("red shi") == [red.id])
        #expect(try await search("org") == [red.id])
        #expect(try await search("t-shirt").count == 2)
        #expect(try await search("red polyester").isEmpty)
        #expect(try await search("shi red").isEmpty, "only the last word is a prefix")
    }

    @Test func diacriticsAreFoldedBothWays() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let cafe = try await fixture.product("C-1", name: "Café au lait mug")
        let creme = try await fixture.product("C-2", name: "Creme brulee torch")
        let search = { (text: String) in
            try await fixture.catalog.listProducts(ProductQuery(searchTerms: SearchText.terms(text))).items.map(\.id)
        }
        #expect(try await search("cafe") == [cafe.id])
        #expect(try await search("CAFÉ AU") == [cafe.id])
        #expect(try await search("crème brûlée") == [creme.id])
    }

    @Test func relevancePutsNameHitsFirstAndPagesByRank() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let inDescription = try await fixture.product("R-1", name: "Mug", description: "Pairs with any lantern")
        let inName = try await fixture.product("R-2", name: "Lantern", description: "Brass")
        let twice = try await fixture.product("R-3", name: "Lantern lantern", description: "A lantern")
        try await fixture.product("R-4", name: "Unrelated")
        let ranked = try await fixture.catalog.listProducts(ProductQuery(searchTerms: ["lantern"])).items.map(\.id)
        #expect(ranked.count == 3)
        #expect(ranked.last == inDescription.id)
        #expect(Set(ranked.prefix(2)) == [inName.id, twice.id])
        let paged = try await ListingTests.allPages(fixture, ProductQuery(searchTerms: ["lantern"], limit: 1)).map(\.id)
        #expect(paged == ranked)
    }

    @Test func searchUpdatesWithTheProductInTheSameTransaction() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("U-1", name: "Old name")
        _ = try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, name: "Fresh title"))
        #expect(try await fixture.catalog.listProducts(ProductQuery(searchTerms: ["old"])).items.isEmpty)
        #expect(try await fixture.catalog.listProducts(ProductQuery(searchTerms: ["fresh"])).items.map(\.id) == [product.id])
    }

    @Test func ftsSyntaxInInputIsJustText() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("F-1", name: "Near OR not")
        for hostile in ["\"unbalanced", "NEAR(a b)", "a* OR b", "-x", "col:value", "^start", "AND", "(((", "x\"y"] {
            let terms = SearchText.terms(hostile)
            guard !terms.isEmpty else { continue }
            _ = try await fixture.catalog.listProducts(ProductQuery(searchTerms: terms))
        }
        #expect(try await fixture.catalog.listProducts(ProductQuery(searchTerms: SearchText.terms("near OR"))).items.map(\.id) == [product.id])
    }
}
