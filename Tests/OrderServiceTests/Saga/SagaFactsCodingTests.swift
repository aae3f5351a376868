import Contracts
import Foundation
import Testing
@testable import OrderService

/// `SagaFacts` is stored as JSON in the order row: it must round-trip, and a row written before a field
/// existed (down to `{}`) must decode to the defaults.
@Suite("Checkout saga: facts as JSON")
struct SagaFactsCodingTests {
    @Test func emptyObjectDecodesToDefaults() throws {
        let facts = try JSONDecoder().decode(SagaFacts.self, from: Data("{}".utf8))
        #expect(facts == SagaFacts())
    }

    @Test func unknownKeysAreIgnored() throws {
        let facts = try JSONDecoder().decode(SagaFacts.self, from: Data(#"{"reserved":true,"fromTheFuture":1}"#.utf8))
        var expected = SagaFacts()
        expected.reserved = true
        #expect(facts == expected)
    }

    @Test(arguments: OrderStatus.allCases)
    func roundTripsTheFactsOfEveryStatus(_ status: OrderStatus) throws {
        var facts = Fx.order(in: status).facts
        facts.awaiting = [.stockReleased, .paymentVoided]
        facts.returnedToSender = "RETURNED_TO_SENDER"
        let data = try JSONEncoder().encode(facts)
        #expect(try JSONDecoder().decode(SagaFacts.self, from: data) == facts)
    }

    /// What a whole journey leaves behind round-trips too (money, dates, the ack set).
    @Test func roundTripsAfterAJourney() throws {
        var j = Journey.paid()
        j.on(.customerCancel(reason: nil))
        let data = try JSONEncoder().encode(j.order.facts)
        #expect(try JSONDecoder().decode(SagaFacts.self, from: data) == j.order.facts)
    }
}
