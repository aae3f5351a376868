/// What `shop load` does as the admin, through the same public endpoints as the README's tour: checks the
/// gateway answers, logs in, and creates the categories, products, warehouse and stock a run needs.
struct ShopAdmin: Sendable {
    let traffic: GatewayTraffic
    let token: String

    /// `GET /health/live` of the gateway itself: a clear error before anything else when nothing is there.
    static func checkGateway(_ traffic: GatewayTraffic) async throws {
        let answer: GatewayAnswer
        do {
            answer = try await traffic.get(.adminLogin, "/health/live")
        } catch let noAnswer as NoAnswer {
            throw LoadError.gatewayUnreachable(url: traffic.baseURL, reason: noAnswer.kind)
        }
        guard answer.status == 200 else { throw LoadError.gatewayUnhealthy(url: traffic.baseURL, status: answer.status) }
    }

    static func logIn(_ traffic: GatewayTraffic, email: String, password: String) async throws -> ShopAdmin {
        struct Credentials: Encodable { var email: String; var password: String }
        struct Tokens: Decodable { var accessToken: String }
        let answer = try await traffic.send(.adminLogin, .POST, "/auth/login", body: Credentials(email: email, password: password))
        guard answer.status == 200 else { throw LoadError.adminLoginRefused(email: email, status: answer.status, message: answer.message) }
        guard let tokens = answer.data(Tokens.self) else { throw LoadError.malformedAnswer(step: "POST /auth/login", missing: "data.accessToken") }
        return ShopAdmin(traffic: traffic, token: tokens.accessToken)
    }

    func createCategory(name: String) async throws -> String {
        struct NewCategory: Encodable { var name: String }
        return try await created(.createCategory, "/categories", NewCategory(name: name))
    }

    func createProduct(sku: String, name: String, description: String, priceMinor: Int64, categoryIds: [String]) async throws -> String {
        struct Price: Encodable { var amountMinor: Int64; var currency = "EUR" }
        struct NewProduct: Encodable { var sku: String; var name: String; var description: String; var price: Price; var categoryIds: [String] }
        return try await created(.createProduct, "/products",
                                 NewProduct(sku: sku, name: name, description: description, price: Price(amountMinor: priceMinor),
                                            categoryIds: categoryIds))
    }

    func createWarehouse(code: String, name: String) async throws -> String {
        struct NewWarehouse: Encodable { var code: String; var name: String }
        return try await created(.createWarehouse, "/warehouses", NewWarehouse(code: code, name: name))
    }

    /// Receives `units` of `product` into `warehouse` (in steps of API.md's largest delta, 10^6).
    func receive(product: String, warehouse: String, units: Int) async throws {
        struct Adjustment: Encodable { var productId: String; var warehouseId: String; var delta: Int; var reason = "RECEIPT" }
        var remaining = units
        while remaining > 0 {
            let delta = min(remaining, 1_000_000)
            _ = try await created(.adjustStock, "/inventory/adjustments",
                                  Adjustment(productId: product, warehouseId: warehouse, delta: delta), wantsId: false)
            remaining -= delta
        }
    }

    struct StockLevel: Decodable, Sendable {
        var onHand: Int
        var reserved: Int
        var available: Int
    }

    func stockLevel(product: String) async throws -> StockLevel {
        let answer = try await traffic.get(.stockLevel, "/inventory/\(product)", bearer: token)
        guard answer.status == 200 else { throw LoadError.setupFailed(step: "GET /inventory/\(product)", status: answer.status, message: answer.message) }
        guard let level = answer.data(StockLevel.self) else { throw LoadError.malformedAnswer(step: "GET /inventory/\(product)", missing: "onHand/reserved") }
        return level
    }

    /// POSTs `body`, expects 201, and answers the new resource's `id` (or "" when `wantsId` is false).
    private struct Identified: Decodable { var id: String }

    private func created(_ step: LoadStep, _ path: String, _ body: some Encodable & Sendable, wantsId: Bool = true) async throws -> String {
        let answer = try await traffic.send(step, .POST, path, body: body, bearer: token)
        guard answer.status == 201 else { throw LoadError.setupFailed(step: step.name, status: answer.status, message: answer.message) }
        guard wantsId else { return "" }
        guard let id = answer.data(Identified.self)?.id else { throw LoadError.malformedAnswer(step: step.name, missing: "data.id") }
        return id
    }
}
