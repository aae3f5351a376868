import Contracts
import Foundation
import ShopTestSupport
import Testing
@testable import OrderService

/// Facts from inventory, payment and shipping arrive in no guaranteed relative order (API.md §4.3, last
/// paragraph): the saga records each and advances when the prerequisites hold, never dropping one.
@Suite("Checkout saga: out-of-order facts")
struct SagaOutOfOrderTests {
    static let shippingFacts: [SagaMessage] = [Fx.committed, Fx.shipmentCreated, Fx.dispatched]

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index -> [[T]] in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    @Test(arguments: permutations([0, 1, 2]))
    func commitCreateAndDispatchInAnyOrderReachShipped(_ order: [Int]) {
        var j = Journey.paid()
        for index in order { j.on(Self.shippingFacts[index]) }
        #expect(j.order.status == .shipped)
        #expect(j.statuses.suffix(3) == [.paid, .fulfilling, .shipped])
        #expect(j.eventNames.filter { $0 == "OrderShipped" }.count == 1)
    }

    /// The dispatch seen in `PAID` is applied on entering `FULFILLING`: one message, two statuses.
    @Test func oneMessageMayEnterFulfillingThenShipped() {
        var j = Journey.paid()
        j.on(Fx.dispatched, Fx.shipmentCreated)
        let decision = j.on(Fx.committed)
        #expect(decision.entered.map(\.status) == [.fulfilling, .shipped])
        #expect(decision.outcome == .transition(from: .paid, to: .shipped))
    }

    @Test func deliveredBeforeCommitStillEndsDelivered() {
        var j = Journey.paid()
        j.on(Fx.dispatched, Fx.delivered, Fx.shipmentCreated)
        let decision = j.on(Fx.committed)
        #expect(decision.entered.map(\.status) == [.fulfilling, .shipped, .delivered])
        #expect(decision.deadline == .set(SagaDeadline(.returnWindow, dueAt: Fx.deliveredAt.addingTimeInterval(Fx.settings.returnWindow))))
    }

    /// Shipping's own events keep their order (one key, one partition), and so do inventory's; only the
    /// interleaving of the two streams (and duplicates) is random here.
    @Test(arguments: 1...50)
    func seededShuffleOfThePostPaymentFactsAlwaysEndsTheSame(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let inventory: [SagaMessage] = [Fx.committed]
        let shipping: [SagaMessage] = [Fx.shipmentCreated, Fx.label, Fx.dispatched, Fx.deliveryFailed(final: false), Fx.delivered]
        var streams = [inventory, shipping]
        var merged: [SagaMessage] = []
        while streams.contains(where: { !$0.isEmpty }) {
            let open = streams.indices.filter { !streams[$0].isEmpty }
            let pick = open[Int(rng.next() % UInt64(open.count))]
            let message = streams[pick].removeFirst()
            merged.append(message)
            if rng.next() % 4 == 0 { merged.append(message) }  // a redelivery
        }
        var j = Journey.paid()
        for message in merged { j.on(message) }
        var reference = Journey.paid()
        reference.on(Fx.committed, Fx.shipmentCreated, Fx.label, Fx.dispatched, Fx.delivered)
        #expect(j.order == reference.order, "seed \(seed)")
        #expect(j.statuses == reference.statuses, "seed \(seed)")
        #expect(j.events == reference.events, "seed \(seed)")
        #expect(j.deadline == reference.deadline, "seed \(seed)")
    }

    @Test func duplicatesAreIgnored() {
        var j = Journey()
        j.on(Fx.reserved)
        #expect(!j.on(Fx.reserved).changesSomething)
        j.on(Fx.initiated())
        #expect(!j.on(Fx.initiated()).changesSomething)
        j.on(Fx.succeeded())
        #expect(!j.on(Fx.succeeded()).changesSomething)
        j.on(Fx.committed)
        #expect(!j.on(Fx.committed).changesSomething)
        #expect(j.order.status == .paid)
    }
}
