import AsyncHTTPClient
import Foundation
import NIOCore
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
                // Everyone is ready first (account, address, one unit in the cart), then all fifty orders go
                // out at once, then each buyer pays as soon as their order may be paid.
                let prepared = try await withThrowingTaskGroup(of: (Customer, String).self) { group in
                    for index in 0..<Self.buyers {
                        group.addTask {
                            let customer = try await shop.newCustomer("flash\(index)")
                            let address = try await shop.addAddress(customer)
                            try await shop.setCartLine(customer, product: product.productId, quantity: 1)
                            return (customer, address)
                        }
                    }
                    var all: [(Customer, String)] = []
                    for try await buyer in group { all.append(buyer) }
                    return all
                }
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
                // Their own client with a connection each, so the fifty POSTs are really in flight together
                // (the shared client keeps eight connections per host).
                var configuration = HTTPClient.Configuration()
                configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.buyers)
                let burst = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                let gateway = shop.stack.gatewayURL
                let placed: [(Customer, String)]
                do {
                    placed = try await withThrowingTaskGroup(of: (Customer, String).self) { group in
                        for (customer, address) in prepared {
                            group.addTask {
                                var request = HTTPClientRequest(url: gateway + "/orders")
                                request.method = .POST
                                request.headers.add(name: "Authorization", value: "Bearer \(customer.token)")
                                request.headers.add(name: "Content-Type", value: "application/json")
                                request.headers.add(name: "Idempotency-Key", value: UUID().uuidString)
                                request.body = .bytes(ByteBuffer(string: #"{"shippingAddressId":"\#(address)"}"#))
                                let response = try await burst.execute(request, timeout: .seconds(60))
                                let answer = EnvelopeClient.Answer(status: Int(response.status.code), headers: response.headers,
                                                                   body: try await response.body.collect(upTo: 1 << 20))
                                guard answer.status == 201, let id = answer.data?["id"]?.stringValue else {
                                    throw ScenarioFailure(description: "POST /orders in the burst: \(answer.status) \(answer.text.prefix(300))")
                                }
                                return (customer, id)
                            }
                        }
                        var all: [(Customer, String)] = []
                        for try await order in group { all.append(order) }
                        return all
                    }
                } catch {
                    try? await burst.shutdown()
                    throw error
                }
                try await burst.shutdown()
                let outcomes = try await withThrowingTaskGroup(of: (String, JSONValue).self) { group in
                    for (customer, order) in placed {
                        group.addTask {
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
