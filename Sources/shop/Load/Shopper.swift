import Foundation

/// A call of a shopper's checkout that did not answer as the checkout needs: the iteration ends there, and
/// its reason (`"POST /orders: 422"`) is counted.
struct StepFailed: Error, CustomStringConvertible {
    var step: LoadStep
    var status: Int
    var description: String { "\(step.name): \(status)" }
}

/// An order as a shopper polls it: the fields `shop load` reads of API.md §4.2's Order.
struct OrderView: Decodable, Sendable {
    struct HistoryEntry: Decodable, Sendable {
        var status: String
        var at: String
    }

    var id: String
    var status: String
    var cancelReason: String?
    var placedAt: String
    var statusHistory: [HistoryEntry]

    /// Milliseconds from `placedAt` to the first history entry with `status`, on the order service's clock.
    func millisecondsFromPlacement(to status: String) -> Int64? {
        guard let placed = ServerTimestamp.milliseconds(placedAt),
              let entry = statusHistory.first(where: { $0.status == status }),
              let reached = ServerTimestamp.milliseconds(entry.at) else { return nil }
        return reached - placed
    }
}

/// How long and how often a shopper polls an order.
struct OrderWatch: Sendable {
    var pollInterval: Duration
    var timeout: Duration

    /// Polls are counted, not only timed: a slow gateway cannot stretch the loop past `timeout / pollInterval + 1` polls.
    var maxPolls: Int {
        Int(timeout / pollInterval) + 1
    }
}

/// One registered user with an address, shopping through the gateway (API.md §11 steps 1–2, 10–15).
struct Shopper: Sendable {
    let traffic: GatewayTraffic
    let token: String
    let addressId: String

    static let password = "load-generator password 0001"

    /// Registers `email`, logs in, and adds an address (the first becomes the default).
    static func signUp(_ traffic: GatewayTraffic, email: String) async throws -> Shopper {
        struct Registration: Encodable { var email: String; var password: String; var firstName = "Load"; var lastName = "Shopper" }
        struct Credentials: Encodable { var email: String; var password: String }
        struct Tokens: Decodable { var accessToken: String }
        struct AddressInput: Encodable {
            var recipientName = "Load Shopper", line1 = "1 Test Street", city = "London", postalCode = "SW1Y 4JH", country = "GB"
        }
        struct Identified: Decodable { var id: String }
        let registered = try await traffic.send(.register, .POST, "/auth/register", body: Registration(email: email, password: password))
        guard registered.status == 201 else { throw StepFailed(step: .register, status: registered.status) }
        let login = try await traffic.send(.login, .POST, "/auth/login", body: Credentials(email: email, password: password))
        guard login.status == 200, let token = login.data(Tokens.self)?.accessToken else { throw StepFailed(step: .login, status: login.status) }
        let address = try await traffic.send(.addAddress, .POST, "/customers/me/addresses", body: AddressInput(), bearer: token)
        guard address.status == 201, let addressId = address.data(Identified.self)?.id else {
            throw StepFailed(step: .addAddress, status: address.status)
        }
        return Shopper(traffic: traffic, token: token, addressId: addressId)
    }

    func setCartLine(product: String, quantity: Int) async throws {
        struct Line: Encodable { var quantity: Int }
        let answer = try await traffic.send(.setCartLine, .PUT, "/cart/items/\(product)", body: Line(quantity: quantity), bearer: token)
        guard answer.status == 200 else { throw StepFailed(step: .setCartLine, status: answer.status) }
    }

    /// `POST /orders` with a fresh Idempotency-Key; the new order's id.
    func placeOrder() async throws -> String {
        struct Placement: Encodable { var shippingAddressId: String }
        struct Identified: Decodable { var id: String }
        let answer = try await traffic.send(.placeOrder, .POST, "/orders", body: Placement(shippingAddressId: addressId), bearer: token,
                                            idempotencyKey: UUID().uuidString)
        guard answer.status == 201, let id = answer.data(Identified.self)?.id else { throw StepFailed(step: .placeOrder, status: answer.status) }
        return id
    }

    func order(_ id: String) async throws -> OrderView {
        let answer = try await traffic.get(.pollOrder, "/orders/\(id)", bearer: token)
        guard answer.status == 200, let order = answer.data(OrderView.self) else { throw StepFailed(step: .pollOrder, status: answer.status) }
        return order
    }

    /// `POST /payments/initiate` with the test token that captures at once (API.md §6).
    func pay(order id: String) async throws {
        struct Initiation: Encodable { var orderId: String; var method = "CARD"; var paymentToken = "tok_success" }
        let answer = try await traffic.send(.initiatePayment, .POST, "/payments/initiate", body: Initiation(orderId: id), bearer: token,
                                            idempotencyKey: UUID().uuidString)
        guard answer.status == 201 else { throw StepFailed(step: .initiatePayment, status: answer.status) }
    }

    /// Polls the order until `done` holds for its status or it ended unpaid, at most `watch.maxPolls` times;
    /// the last view and whether it got there.
    func watch(_ id: String, _ watch: OrderWatch, until done: (String) -> Bool) async throws -> (order: OrderView, reached: Bool) {
        var last = try await order(id)
        for _ in 1..<watch.maxPolls {
            if done(last.status) || OrderStatuses.endedUnpaid.contains(last.status) { break }
            try await Task.sleep(for: watch.pollInterval)
            last = try await order(id)
        }
        return (last, done(last.status))
    }
}
