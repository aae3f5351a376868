/// `flash-sale`: `buyers` shoppers for `units` units of one product. Everyone gets ready first (account,
/// address, one unit in the cart, `concurrency` sign-ups at a time), then every order goes out at once, and
/// each buyer pays as soon as their order may be paid. Afterwards the stock is read until no reservation is
/// left: units sold (orders PAID or later) must not exceed units stocked, and what is on hand must be what
/// was stocked minus what was sold.
struct FlashSaleScenario: Sendable {
    let admin: ShopAdmin
    /// The measured traffic (the admin's set-up and stock reads are not part of the report).
    let traffic: GatewayTraffic
    let flow: CheckoutFlow
    let buyers: Int
    let units: Int
    let concurrency: Int

    /// What the sale left in stock, read once no reservation was left (or at the wait bound).
    struct StockOutcome: Sendable {
        var productId: String
        var level: ShopAdmin.StockLevel
        /// Whether `reserved` reached 0 within the wait bound.
        var settled: Bool
    }

    func run(runTag: String) async throws -> StockOutcome {
        let warehouse = try await admin.createWarehouse(code: "LOAD-\(runTag)".uppercased(), name: "Flash sale \(runTag)")
        let product = try await admin.createProduct(sku: "LOAD-\(runTag)-FLASH", name: "Flash sale item \(runTag)",
                                                    description: "\(units) units for \(buyers) buyers.", priceMinor: 999, categoryIds: [])
        try await admin.receive(product: product, warehouse: warehouse, units: units)
        let traffic = traffic
        let recorder = flow.recorder

        // Ready: every buyer signed up with one unit in the cart (bounded concurrency: sign-up hashes passwords).
        let ready = try await withThrowingTaskGroup(of: Shopper.self) { group in
            var shoppers: [Shopper] = []
            for index in 0..<buyers {
                if index >= concurrency, let shopper = try await group.next() { shoppers.append(shopper) }
                group.addTask {
                    let shopper = try await Shopper.signUp(traffic, email: "load-\(runTag)-flash\(index)@example.com")
                    try await shopper.setCartLine(product: product, quantity: 1)
                    return shopper
                }
            }
            for try await shopper in group { shoppers.append(shopper) }
            return shoppers
        }

        // Set, go: every order at once, then each buyer on their own.
        await withDiscardingTaskGroup { group in
            for shopper in ready {
                group.addTask {
                    recorder.iterationStarted()
                    do {
                        let placedAt = ContinuousClock.now
                        let order = try await shopper.placeOrder()
                        recorder.orderPlaced()
                        try await flow.complete(shopper, order: order, placedAt: placedAt, units: 1)
                        recorder.iterationCompleted()
                    } catch is CancellationError {
                    } catch {
                        recorder.iterationFailed(String(describing: error))
                    }
                }
            }
        }

        // The commits and releases reach inventory through events: read until nothing is reserved.
        var level = try await admin.stockLevel(product: product)
        var polls = 1
        while level.reserved != 0, polls < flow.watch.maxPolls {
            try await Task.sleep(for: flow.watch.pollInterval)
            level = try await admin.stockLevel(product: product)
            polls += 1
        }
        return StockOutcome(productId: product, level: level, settled: level.reserved == 0)
    }
}
