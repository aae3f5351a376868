import Synchronization

/// `checkout`: shoppers buying, each iteration one whole checkout (API.md §11 steps 11–15) of a random
/// product of this run's: cart line, `POST /orders`, wait for `AWAITING_PAYMENT`, pay with `tok_success`,
/// wait for `PAID` or later. Shoppers are registered (register, login, address) when the run first needs
/// one and reused by later iterations, unless every checkout should bring a new user (`--fresh-users`).
struct CheckoutScenario: Sendable {
    let flow: CheckoutFlow
    let shoppers: ShopperPool
    let productIds: [String]
    let quantity: Int

    /// A warehouse of this run's with `stock` units of each of `products` new products.
    static func seed(admin: ShopAdmin, runTag: String, products: Int, stock: Int) async throws -> [String] {
        let warehouse = try await admin.createWarehouse(code: "LOAD-\(runTag)".uppercased(), name: "Load \(runTag)")
        var ids: [String] = []
        for index in 0..<products {
            let id = try await admin.createProduct(sku: "LOAD-\(runTag)-C\(index)", name: "Load item \(index) \(runTag)",
                                                   description: "Stock for the checkout load.", priceMinor: 1999, categoryIds: [])
            try await admin.receive(product: id, warehouse: warehouse, units: stock)
            ids.append(id)
        }
        return ids
    }

    func checkout() async throws {
        guard let product = productIds.randomElement() else { return }
        let shopper = try await shoppers.take()
        let began = ContinuousClock.now
        try await shopper.setCartLine(product: product, quantity: quantity)
        let placedAt = ContinuousClock.now
        let order = try await shopper.placeOrder()
        flow.recorder.orderPlaced()
        try await flow.complete(shopper, order: order, placedAt: placedAt, units: quantity)
        flow.recorder.span(.checkoutIteration, ContinuousClock.now - began)
        shoppers.giveBack(shopper)
    }
}

/// Registered shoppers not busy in a checkout. A shopper is taken by one iteration at a time (the cart is
/// theirs), so with N virtual users at most N are ever registered.
final class ShopperPool: Sendable {
    private let traffic: GatewayTraffic
    private let runTag: String
    private let reuse: Bool
    private let state = Mutex<(idle: [Shopper], registered: Int)>(([], 0))

    init(traffic: GatewayTraffic, runTag: String, reuse: Bool) {
        self.traffic = traffic
        self.runTag = runTag
        self.reuse = reuse
    }

    func take() async throws -> Shopper {
        let (idle, number) = state.withLock { state -> (Shopper?, Int) in
            if let shopper = state.idle.popLast() { return (shopper, 0) }
            state.registered += 1
            return (nil, state.registered)
        }
        if let idle { return idle }
        return try await Shopper.signUp(traffic, email: "load-\(runTag)-\(number)@example.com")
    }

    /// After a checkout that completed (a failed one may have left the cart or the user in a state of its own).
    func giveBack(_ shopper: Shopper) {
        guard reuse else { return }
        state.withLock { $0.idle.append(shopper) }
    }

    var registered: Int { state.withLock { $0.registered } }
}
