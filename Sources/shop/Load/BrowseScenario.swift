/// `browse`: what an anonymous visitor does, each iteration one visit of five public reads — the newest
/// products, a search, one product, the category tree and a category's products — over products this run
/// created in a category of its own (so every search and page has something to find).
struct BrowseScenario: Sendable {
    let traffic: GatewayTraffic
    let categoryId: String
    let productIds: [String]
    static let nouns = ["kettle", "lamp", "teapot", "scarf", "notebook", "backpack", "mug", "blanket", "candle", "umbrella"]
    static let adjectives = ["red", "linen", "walnut", "copper", "woollen", "vintage", "organic", "folding"]

    /// Creates `products` products (names from `nouns` × `adjectives`, tagged with the run) in a new category.
    /// `traffic` is what the visits go through (the measured one; the admin's set-up is not measured).
    static func seed(admin: ShopAdmin, traffic: GatewayTraffic, runTag: String, products: Int) async throws -> BrowseScenario {
        let category = try await admin.createCategory(name: "Load \(runTag)")
        var ids: [String] = []
        for index in 0..<products {
            let name = "\(adjectives[index % adjectives.count].capitalized) \(nouns[index % nouns.count]) \(runTag)"
            ids.append(try await admin.createProduct(sku: "LOAD-\(runTag)-B\(index)", name: name,
                                                     description: "A \(name) for the browse load.",
                                                     priceMinor: Int64(500 + 137 * index), categoryIds: [category]))
        }
        return BrowseScenario(traffic: traffic, categoryId: category, productIds: ids)
    }

    func visit() async throws {
        var generator = SystemRandomNumberGenerator()
        let noun = Self.nouns.randomElement(using: &generator) ?? "lamp"
        let sort = ["newest", "price_asc", "price_desc", "name_asc"].randomElement(using: &generator) ?? "newest"
        try await read(.productList, "/products?limit=20&sort=\(sort)")
        try await read(.productSearch, "/products?q=\(noun)&limit=20")
        if let product = productIds.randomElement(using: &generator) { try await read(.productGet, "/products/\(product)") }
        try await read(.categoryTree, "/categories")
        try await read(.categoryProducts, "/categories/\(categoryId)/products?limit=20")
    }

    private func read(_ step: LoadStep, _ path: String) async throws {
        let answer = try await traffic.get(step, path)
        guard answer.status == 200 else { throw StepFailed(step: step, status: answer.status) }
    }
}
