import Foundation
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

extension SharedStack {
    /// Ten units, fifty buyers at once through the gateway, each paying tok_success as soon as it may:
    /// exactly ten orders reach PAID or later, forty end CANCELLED / OUT_OF_STOCK, and the stock never goes
    /// below zero (sampled all along: 0 ≤ reserved ≤ onHand ≤ 10), ending at onHand 0, reserved 0.
    @Suite struct FlashSale {
        static let units = 10
        static let buyers = 50
        static let paidOrLater: Set<String> = ["PAID", "FULFILLING", "SHIPPED", "DELIVERED", "COMPLETED"]

        @Test func tenUnitsFiftyBuyers() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: Self.units, priceMinor: 999)
                let sampling = Sampling()
                let sampler = Task {
                    // Bounded: at most ten minutes of 100 ms samples; ends when the buyers are done.
                    for _ in 0..<6000 {
                        guard sampling.running.withLock({ $0 }) else { break }
                        if let level = try? await shop.stock(product.productId) {
                            sampling.samples.withLock { $0 += 1 }
                            if level.reserved < 0 || level.reserved > level.onHand || level.onHand < 0 || level.onHand > Self.units || level.available < 0 {
                                sampling.violations.withLock { $0.append("\(level)") }
                            }
                        }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
                let began = ContinuousClock.now
                let outcomes = try await withThrowingTaskGroup(of: (String, JSONValue).self) { group in
                    for index in 0..<Self.buyers {
                        group.addTask {
                            let customer = try await shop.newCustomer("flash\(index)")
                            let order = try await shop.checkout(customer, product: product.productId, quantity: 1)
                            let reserved = try await shop.waitForStatus(customer, order, ["AWAITING_PAYMENT", "CANCELLED"])
                            if reserved["status"]?.stringValue == "AWAITING_PAYMENT" {
                                _ = try await shop.pay(customer, order: order, token: "tok_success")
                                return (order, try await shop.waitForStatus(customer, order, ["FULFILLING"]))
                            }
                            return (order, reserved)
                        }
                    }
                    var all: [(String, JSONValue)] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                sampling.running.withLock { $0 = false }
                _ = await sampler.value
                print("[e2e] flash sale: \(Self.buyers) buyers settled in \(ContinuousClock.now - began), \(sampling.samples.withLock { $0 }) stock samples")
                let statuses = outcomes.map { $0.1["status"]?.stringValue ?? "?" }
                let winners = statuses.filter { Self.paidOrLater.contains($0) }.count
                let losers = outcomes.filter { $0.1["status"]?.stringValue == "CANCELLED" && $0.1["cancelReason"]?.stringValue == "OUT_OF_STOCK" }.count
                #expect(winners == Self.units, "orders PAID or later: \(winners); statuses \(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
                #expect(losers == Self.buyers - Self.units, "orders CANCELLED/OUT_OF_STOCK: \(losers)")
                #expect(sampling.violations.withLock { $0 }.isEmpty, "stock invariant broken: \(sampling.violations.withLock { $0 }.prefix(5))")
                let level = try await shop.waitForStock(product.productId, onHand: 0, reserved: 0)
                #expect(level.available == 0)
            }
        }
    }
}

/// What the stock sampler of the flash sale shares with the test.
final class Sampling: Sendable {
    let running = Mutex(true)
    let samples = Mutex(0)
    let violations = Mutex<[String]>([])
}
