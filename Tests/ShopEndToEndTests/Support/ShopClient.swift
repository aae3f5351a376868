import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import ShopTestSupport
import Testing

/// One customer: their IAM id, access token and email.
struct Customer: Sendable {
    var id: String
    var token: String
    var email: String
}

/// What a test sets up for one checkout: a product stocked in its own warehouse.
struct StockedProduct: Sendable {
    var productId: String
    var warehouseId: String
    var priceMinor: Int64
}

/// A wait that ended without the awaited state (with what was last seen).
struct ScenarioFailure: Error, CustomStringConvertible {
    var description: String
}

/// The client side of the walkthrough (API.md §11), through the gateway only: every call is real HTTP on
/// loopback, every wait a bounded poll (every 200 ms, at most a minute).
struct ShopClient: Sendable {
    let stack: ShopStack
    var http: EnvelopeClient { stack.gateway }

    static let pollInterval: Duration = .milliseconds(200)
    static let waitBound: Duration = .seconds(60)

    static func unique(_ prefix: String) -> String {
        prefix + "-" + UUID().uuidString.lowercased().prefix(12)
    }

    @discardableResult
    func expectStatus(_ answer: EnvelopeClient.Answer, _ expected: Int, _ what: String) throws -> EnvelopeClient.Answer {
        guard answer.status == expected else {
            throw ScenarioFailure(description: "\(what): expected \(expected), got \(answer.status) \(answer.text.prefix(800))")
        }
        return answer
    }

    // MARK: Accounts

    /// Registers a new user and logs in.
    func newCustomer(_ prefix: String = "buyer") async throws -> Customer {
        let email = Self.unique(prefix) + "@example.com"
        let password = "correct horse battery staple"
        let registered = try expectStatus(
            try await http.send(.POST, "/auth/register", json: ["email": .string(email), "password": .string(password),
                                                                "firstName": "Ada", "lastName": "Lovelace"]),
            201, "register \(email)")
        let id = try registered.data?["id"]?.stringValue ?? { throw ScenarioFailure(description: "register: no id") }()
        let login = try expectStatus(
            try await http.send(.POST, "/auth/login", json: ["email": .string(email), "password": .string(password)]),
            200, "login \(email)")
        guard let token = login.data?["accessToken"]?.stringValue else { throw ScenarioFailure(description: "login: no token") }
        return Customer(id: id, token: token, email: email)
    }

    /// A client-credentials token (`<PREFIX>_CLIENT_ID` of `service-clients.properties`) from IAM's token endpoint.
    func serviceToken(_ prefix: String) async throws -> String {
        let client = try stack.serviceClient(prefix)
        let answer = try await http.send(.POST, "/oauth2/token", form: ["grant_type": "client_credentials",
                                                                          "client_id": client.id, "client_secret": client.secret])
        guard answer.status == 200, let token = answer.json["access_token"]?.stringValue else {
            throw ScenarioFailure(description: "client_credentials for \(client.id): \(answer.status) \(answer.text.prefix(300))")
        }
        return token
    }

    // MARK: Catalog and stock (admin)

    func createProduct(priceMinor: Int64 = 1999, categoryIds: [String] = [], name: String = "Red T-shirt") async throws -> String {
        let admin = try await stack.admin()
        var body: [String: JSONValue] = [
            "sku": .string(Self.unique("SKU").uppercased()), "name": .string(name), "description": "end-to-end test product",
            "price": ["amountMinor": .integer(priceMinor), "currency": "EUR"],
        ]
        if !categoryIds.isEmpty { body["categoryIds"] = .array(categoryIds.map { .string($0) }) }
        let answer = try expectStatus(try await http.send(.POST, "/products", json: .object(body), bearer: admin), 201, "create product")
        guard let id = answer.data?["id"]?.stringValue else { throw ScenarioFailure(description: "product without id") }
        return id
    }

    func createWarehouse() async throws -> String {
        let admin = try await stack.admin()
        let code = "W-" + UUID().uuidString.prefix(8).uppercased()
        let answer = try expectStatus(
            try await http.send(.POST, "/warehouses", json: ["code": .string(code), "name": .string("E2E warehouse \(code)")], bearer: admin),
            201, "create warehouse")
        guard let id = answer.data?["id"]?.stringValue else { throw ScenarioFailure(description: "warehouse without id") }
        return id
    }

    @discardableResult
    func adjust(product: String, warehouse: String, delta: Int, reason: String = "RECEIPT") async throws -> EnvelopeClient.Answer {
        let admin = try await stack.admin()
        return try expectStatus(
            try await http.send(.POST, "/inventory/adjustments",
                                json: ["productId": .string(product), "warehouseId": .string(warehouse), "delta": .integer(Int64(delta)),
                                       "reason": .string(reason)], bearer: admin),
            201, "adjust stock of \(product) by \(delta)")
    }

    /// A new product with `quantity` units in a new warehouse of its own.
    func stockedProduct(quantity: Int, priceMinor: Int64 = 1999) async throws -> StockedProduct {
        let product = try await createProduct(priceMinor: priceMinor)
        let warehouse = try await createWarehouse()
        if quantity > 0 { try await adjust(product: product, warehouse: warehouse, delta: quantity) }
        return StockedProduct(productId: product, warehouseId: warehouse, priceMinor: priceMinor)
    }

    struct StockLevel: Sendable, CustomStringConvertible {
        var onHand: Int
        var reserved: Int
        var available: Int
        var description: String { "onHand \(onHand), reserved \(reserved), available \(available)" }
    }

    func stock(_ product: String) async throws -> StockLevel {
        let admin = try await stack.admin()
        let answer = try expectStatus(try await http.get("/inventory/\(product)", bearer: admin), 200, "stock of \(product)")
        guard let data = answer.data, let onHand = data["onHand"]?.intValue, let reserved = data["reserved"]?.intValue,
              let available = data["available"]?.intValue else {
            throw ScenarioFailure(description: "stock level without numbers: \(answer.text)")
        }
        return StockLevel(onHand: onHand, reserved: reserved, available: available)
    }

    /// Polls the stock level until it is `onHand`/`reserved` (the order's events reach inventory eventually).
    @discardableResult
    func waitForStock(_ product: String, onHand: Int, reserved: Int) async throws -> StockLevel {
        var last: StockLevel?
        do {
            try await eventually("stock of \(product) onHand \(onHand) reserved \(reserved)", timeout: Self.waitBound, every: Self.pollInterval) {
                last = try await stock(product)
                return last?.onHand == onHand && last?.reserved == reserved
            }
        } catch is WaitTimeout {
            throw ScenarioFailure(description: "stock of \(product): expected onHand \(onHand), reserved \(reserved); last seen \(last.map(String.init(describing:)) ?? "nothing") after \(Self.waitBound)")
        }
        return last!
    }

    // MARK: Customer side

    func addAddress(_ customer: Customer, country: String = "GB") async throws -> String {
        let answer = try expectStatus(
            try await http.send(.POST, "/customers/me/addresses",
                                json: ["recipientName": "Ada Lovelace", "line1": "12 St James's Sq", "city": "London",
                                       "postalCode": "SW1Y 4JH", "country": .string(country)], bearer: customer.token),
            201, "add address")
        guard let id = answer.data?["id"]?.stringValue else { throw ScenarioFailure(description: "address without id") }
        return id
    }

    @discardableResult
    func setCartLine(_ customer: Customer, product: String, quantity: Int) async throws -> EnvelopeClient.Answer {
        try expectStatus(
            try await http.send(.PUT, "/cart/items/\(product)", json: ["quantity": .integer(Int64(quantity))], bearer: customer.token),
            200, "PUT /cart/items/\(product)")
    }

    func placeOrderAnswer(_ customer: Customer, address: String, key: String) async throws -> EnvelopeClient.Answer {
        try await http.send(.POST, "/orders", json: ["shippingAddressId": .string(address)], bearer: customer.token,
                            headers: [("Idempotency-Key", key)])
    }

    /// POST /orders with a fresh Idempotency-Key; the new order's id.
    func placeOrder(_ customer: Customer, address: String, key: String = UUID().uuidString) async throws -> String {
        let answer = try expectStatus(try await placeOrderAnswer(customer, address: address, key: key), 201, "POST /orders")
        guard let id = answer.data?["id"]?.stringValue else { throw ScenarioFailure(description: "order without id: \(answer.text)") }
        return id
    }

    /// A customer with an address, `quantity` of `product` in the cart, and the order placed.
    func checkout(_ customer: Customer, product: String, quantity: Int, country: String = "GB") async throws -> String {
        let address = try await addAddress(customer, country: country)
        try await setCartLine(customer, product: product, quantity: quantity)
        return try await placeOrder(customer, address: address)
    }

    func order(_ customer: Customer, _ id: String) async throws -> JSONValue {
        let answer = try expectStatus(try await http.get("/orders/\(id)", bearer: customer.token), 200, "GET /orders/\(id)")
        return answer.data ?? .null
    }

    // REFUND_FAILED is not here: an admin refund moves it on (C13).
    static let settled: Set<String> = ["CANCELLED", "REFUNDED", "COMPLETED"]

    /// Polls GET /orders/{id} every 200 ms (at most `bound`, a minute by default) until its status is one of
    /// `statuses` (and `also` holds); fails early when the order settles in another terminal status.
    /// `throughRestarts`: an answer other than 200 or no answer (the order service or gateway restarting) is
    /// polled past instead of failing.
    @discardableResult
    func waitForStatus(_ customer: Customer, _ id: String, _ statuses: Set<String>, bound: Duration = Self.waitBound,
                       throughRestarts: Bool = false,
                       also: @Sendable (JSONValue) -> Bool = { _ in true }) async throws -> JSONValue {
        let deadline = ContinuousClock.now + bound
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            if throughRestarts {
                guard let answer = try? await http.get("/orders/\(id)", bearer: customer.token), answer.status == 200 else {
                    try await Task.sleep(for: Self.pollInterval)
                    continue
                }
                last = answer.data ?? .null
            } else {
                last = try await order(customer, id)
            }
            let status = last["status"]?.stringValue ?? "?"
            if statuses.contains(status), also(last) { return last }
            if Self.settled.contains(status), !statuses.contains(status) {
                throw ScenarioFailure(description: "order \(id) settled in \(status) (cancelReason \(last["cancelReason"]?.stringValue ?? "null")), waiting for \(statuses.sorted()); history \(Self.history(last))")
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        throw ScenarioFailure(description: "order \(id): waited \(bound) for \(statuses.sorted()); last status \(last["status"]?.stringValue ?? "?"), stuck \(last["stuck"]?.boolValue.map(String.init) ?? "?"), history \(Self.history(last))")
    }

    @discardableResult
    func waitForStatus(_ customer: Customer, _ id: String, _ status: String) async throws -> JSONValue {
        try await waitForStatus(customer, id, [status])
    }

    /// The statuses of `statusHistory`, oldest first.
    static func history(_ order: JSONValue) -> [String] {
        order["statusHistory"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
    }

    static func total(_ order: JSONValue) -> Int64? {
        order["total"]?["amountMinor"]?.intValue.map(Int64.init)
    }

    // MARK: Payment

    func payAnswer(_ customer: Customer, order: String, token: String, key: String = UUID().uuidString) async throws -> EnvelopeClient.Answer {
        try await http.send(.POST, "/payments/initiate",
                            json: ["orderId": .string(order), "method": "CARD", "paymentToken": .string(token)],
                            bearer: customer.token, headers: [("Idempotency-Key", key)], timeout: .seconds(45))
    }

    /// POST /payments/initiate; the Payment (201 whatever the outcome).
    func pay(_ customer: Customer, order: String, token: String, key: String = UUID().uuidString) async throws -> JSONValue {
        try expectStatus(try await payAnswer(customer, order: order, token: token, key: key), 201, "pay \(order) with \(token)").data ?? .null
    }

    func payments(_ customer: Customer, order: String) async throws -> [JSONValue] {
        let answer = try expectStatus(try await http.get("/payments?orderId=\(order)", bearer: customer.token), 200, "GET /payments?orderId=\(order)")
        return answer.data?.arrayValue ?? []
    }

    static func minor(_ money: JSONValue?) -> Int64? {
        money?["amountMinor"]?.intValue.map(Int64.init)
    }

    // MARK: Shipping

    func tracking(_ customer: Customer, order: String) async throws -> EnvelopeClient.Answer {
        try await http.get("/shipping/track/\(order)", bearer: customer.token)
    }

    /// Polls GET /shipping/track/{order} until 200; the Tracking.
    func waitForTracking(_ customer: Customer, order: String) async throws -> JSONValue {
        var last: EnvelopeClient.Answer?
        do {
            try await eventually("tracking of \(order)", timeout: Self.waitBound, every: Self.pollInterval) {
                last = try await tracking(customer, order: order)
                return last?.status == 200
            }
        } catch is WaitTimeout {
            throw ScenarioFailure(description: "tracking of \(order) never answered 200; last \(last?.status ?? 0) \(last?.text.prefix(300) ?? "")")
        }
        return last?.data ?? .null
    }

    /// A carrier event, posted as the carrier-sim client (`shipping.carrier`).
    @discardableResult
    func carrierEvent(shipment: String, status: String, location: String? = nil, final: Bool? = nil,
                      eventId: String = UUID().uuidString) async throws -> EnvelopeClient.Answer {
        let token = try await serviceToken("CARRIER_SIM")
        var body: [String: JSONValue] = ["carrierEventId": .string(eventId), "status": .string(status)]
        if let location { body["location"] = .string(location) }
        if let final { body["final"] = .bool(final) }
        return try expectStatus(try await http.send(.POST, "/shipping/shipments/\(shipment)/events", json: .object(body), bearer: token),
                                201, "carrier event \(status) for \(shipment)")
    }

    // MARK: Composite steps

    /// Stocked product, customer, order placed and paid with `tok_success`, waited to FULFILLING.
    func fulfillingOrder(quantity: Int = 1, stockQuantity: Int = 5, country: String = "GB",
                         token: String = "tok_success") async throws -> (Customer, StockedProduct, String) {
        let product = try await stockedProduct(quantity: stockQuantity)
        let customer = try await newCustomer()
        let order = try await checkout(customer, product: product.productId, quantity: quantity, country: country)
        try await waitForStatus(customer, order, "AWAITING_PAYMENT")
        _ = try await pay(customer, order: order, token: token)
        try await waitForStatus(customer, order, "FULFILLING")
        return (customer, product, order)
    }

    /// The shipment id of an order (from its tracking).
    func shipmentId(_ customer: Customer, order: String) async throws -> String {
        let tracking = try await waitForTracking(customer, order: order)
        guard let id = tracking["shipmentId"]?.stringValue else { throw ScenarioFailure(description: "tracking without shipmentId: \(tracking)") }
        return id
    }
}

/// Whether `sequence` appears in `history` in this order (other statuses may sit between).
func isSubsequence(_ sequence: [String], of history: [String]) -> Bool {
    var index = history.startIndex
    for status in sequence {
        guard let found = history[index...].firstIndex(of: status) else { return false }
        index = history.index(after: found)
    }
    return true
}
