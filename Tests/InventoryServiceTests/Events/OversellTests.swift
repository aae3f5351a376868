import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// 60 concurrent one-unit reservations, half over HTTP and half as commands, against 10 units in two
/// warehouses: exactly 10 succeed, nobody ever sees more reserved than on hand, and releasing every order
/// brings the stock back to where it started.
struct OversellTests {
    @Test func sixtyBuyersTenUnits() async throws {
        try await InventoryFixture.with(broker: true) { f in
            let publisher = try TestEventPublisher(bootstrap: f.brokerAddress)
            let first = try await f.createWarehouse("FIRST", priority: 1)
            let second = try await f.createWarehouse("SECOND", priority: 2)
            let product = InventoryFixture.newId()
            try await f.receive(product, in: first, 6)
            try await f.receive(product, in: second, 4)
            let orders = (0..<60).map { _ in InventoryFixture.newId() }
            let byCommand = Set(orders.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))

            // A reader polls the level through the whole burst.
            let observations = Observations()
            let reader = Task {
                while !Task.isCancelled {
                    guard let answer = try? await f.client.get("/inventory/\(product)", bearer: f.reader), answer.status == 200 else { continue }
                    var violations: [String] = []
                    for row in answer.data?["warehouses"]?.arrayValue ?? [] {
                        let onHand = row["onHand"]?.intValue ?? 0, reserved = row["reserved"]?.intValue ?? 0
                        if reserved > onHand || reserved < 0 { violations.append("\(row["code"]?.stringValue ?? "?"): \(reserved) > \(onHand)") }
                    }
                    if (answer.data?["reserved"]?.intValue ?? 0) > 10 { violations.append("sum reserved above 10") }
                    observations.state.withLock { $0.reads += 1; $0.violations += violations }
                }
            }

            let httpStatuses = try await withThrowingTaskGroup(of: Int?.self) { group in
                for order in orders {
                    group.addTask {
                        if byCommand.contains(order) {
                            try await publisher.publish(ReserveStock(orderId: order, lines: [ProductQuantity(productId: product, quantity: 1)]))
                            return nil
                        }
                        return try await f.reserve(order, [(product, 1)]).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { if let status { statuses.append(status) } }
                return statuses
            }
            var replies: (reserved: Set<String>, rejected: Set<String>) = ([], [])
            try await eventually("every command is answered", timeout: .seconds(60), every: .milliseconds(250)) {
                replies.reserved = Set(try await f.stockEvents(StockReserved.self).map(\.orderId)).intersection(byCommand)
                replies.rejected = Set(try await f.stockEvents(StockReservationRejected.self).map(\.orderId)).intersection(byCommand)
                return replies.reserved.count + replies.rejected.count == byCommand.count
            }
            reader.cancel()
            _ = await reader.value

            #expect(httpStatuses.count == 30 && httpStatuses.allSatisfy { $0 == 201 || $0 == 409 })
            #expect(httpStatuses.filter { $0 == 201 }.count + replies.reserved.count == 10)
            #expect(replies.reserved.isDisjoint(with: replies.rejected))
            let level = try await f.level(product)
            #expect(level.onHand == 10 && level.reserved == 10)
            #expect(level.rows[first]?.reserved == 6 && level.rows[second]?.reserved == 4)
            let seen = observations.state.withLock { $0 }
            #expect(seen.reads > 0)
            #expect(seen.violations.isEmpty, "\(seen.violations)")

            for order in orders { try await publisher.publish(ReleaseStock(orderId: order, reason: "CUSTOMER_REQUEST")) }
            try await eventually("every reservation is released", timeout: .seconds(60), every: .milliseconds(250)) {
                try await f.level(product).reserved == 0
            }
            let after = try await f.level(product)
            #expect(after.onHand == 10)
            #expect(after.rows[first].map { [$0.onHand, $0.reserved] } == [6, 0] && after.rows[second].map { [$0.onHand, $0.reserved] } == [4, 0])
            await publisher.close()
        }
    }
}

/// What the polling reader saw, shared with its task.
private final class Observations: Sendable {
    let state = Mutex<(reads: Int, violations: [String])>((0, []))
}
