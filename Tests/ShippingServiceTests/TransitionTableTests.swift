import Contracts
import Foundation
import ServiceKit
import Testing

@testable import ShippingService

/// API.md §7's transition table: every (state, carrier status) pair once, allowed or refused, first as the
/// pure rule and then through the store, where an allowed event publishes its event and a refused one
/// answers 409 and changes nothing.
@Suite struct TransitionTableTests {
    /// A shipment state; DELIVERY_FAILED comes in two, as the table distinguishes them.
    enum State: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case pending, labelCreated, dispatched, inTransit, deliveryFailed, deliveryFailedFinal, delivered, returnedToSender, cancelled

        var status: ShipmentStatus {
            switch self {
            case .pending: .pending
            case .labelCreated: .labelCreated
            case .dispatched: .dispatched
            case .inTransit: .inTransit
            case .deliveryFailed, .deliveryFailedFinal: .deliveryFailed
            case .delivered: .delivered
            case .returnedToSender: .returnedToSender
            case .cancelled: .cancelled
            }
        }

        var testDescription: String { rawValue }
    }

    /// The allowed pairs, written out as API.md §7 lists them; every other pair is refused.
    static let allowed: Set<String> = {
        let moving: [CarrierEventStatus] = [.inTransit, .delivered, .deliveryFailed, .returnedToSender]
        var pairs = ["labelCreated>DISPATCHED", "deliveryFailedFinal>RETURNED_TO_SENDER"]
        for state in [State.dispatched, .inTransit, .deliveryFailed] {
            pairs += moving.map { "\(state.rawValue)>\($0.rawValue)" }
        }
        return Set(pairs)
    }()

    struct Case: Sendable, CustomTestStringConvertible {
        var state: State
        var event: CarrierEventStatus
        var isAllowed: Bool { TransitionTableTests.allowed.contains("\(state.rawValue)>\(event.rawValue)") }
        var testDescription: String { "\(state.rawValue) + \(event.rawValue) → \(isAllowed ? "allowed" : "409")" }
    }

    static let cases: [Case] = State.allCases.flatMap { state in CarrierEventStatus.allCases.map { Case(state: state, event: $0) } }

    @Test func theRuleMatchesTheTable() {
        #expect(Self.cases.count == 45)
        #expect(Self.cases.filter(\.isAllowed).count == 14)
        for testCase in Self.cases {
            let allowed = ShipmentTransitions.allows(from: testCase.state.status, finalFailure: testCase.state == .deliveryFailedFinal,
                                                     to: testCase.event)
            #expect(allowed == testCase.isAllowed, "\(testCase.testDescription)")
        }
    }

    /// The events that bring a new shipment (`LABEL_CREATED`) into `state`; nil for `PENDING`, which the
    /// simulated carrier never leaves a shipment in.
    static func path(to state: State) -> [(CarrierEventStatus, Bool)]? {
        switch state {
        case .pending: nil
        case .labelCreated, .cancelled: []
        case .dispatched: [(.dispatched, false)]
        case .inTransit: [(.dispatched, false), (.inTransit, false)]
        case .deliveryFailed: [(.dispatched, false), (.deliveryFailed, false)]
        case .deliveryFailedFinal: [(.dispatched, false), (.deliveryFailed, true)]
        case .delivered: [(.dispatched, false), (.delivered, false)]
        case .returnedToSender: [(.dispatched, false), (.returnedToSender, false)]
        }
    }

    static let publishedEvent: [CarrierEventStatus: String] = [
        .dispatched: ShipmentDispatched.eventType, .inTransit: ShipmentTrackingUpdated.eventType,
        .delivered: ShipmentDelivered.eventType, .deliveryFailed: ShipmentDeliveryFailed.eventType,
        .returnedToSender: ShipmentReturnedToSender.eventType,
    ]

    @Test(arguments: TransitionTableTests.cases.filter { $0.state != .pending })
    func throughTheStore(_ testCase: Case) async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let created = try await fixture.createShipment()
        let shipmentId = created.shipment.id
        for (status, final) in try #require(Self.path(to: testCase.state)) {
            try await fixture.post(status, to: shipmentId, final: final)
        }
        if testCase.state == .cancelled {
            let orderId = created.shipment.orderId
            _ = try await fixture.inTransaction { db in
                try fixture.shipping.handle(CancelShipment(orderId: orderId, reason: "CUSTOMER_REQUEST"), metadata: EventMetadata(), db)
            }
        }
        let before = try #require(try await fixture.shipping.store.record(shipmentId: shipmentId))
        #expect(before.shipment.status == testCase.state.status)
        let outboxBefore = try await fixture.outbox().count

        if testCase.isAllowed {
            guard case .applied(let after) = try await fixture.post(testCase.event, to: shipmentId, location: "Leeds hub") else {
                Issue.record("\(testCase.testDescription): not applied")
                return
            }
            #expect(after.shipment.status == testCase.event.shipmentStatus)
            #expect(after.shipment.version == before.shipment.version + 1)
            #expect(after.events.count == before.events.count + 1)
            let published = try await fixture.outbox().dropFirst(outboxBefore)
            let expected = try #require(Self.publishedEvent[testCase.event])
            #expect(published.map(\.eventType) == [expected])
            #expect(published.allSatisfy { $0.aggregateId == created.shipment.orderId && $0.topic == Topics.shippingShipment })
        } else {
            let error = await shippingError { try await fixture.post(testCase.event, to: shipmentId) }
            guard case .transitionNotAllowed = error else {
                Issue.record("\(testCase.testDescription): expected a refusal, got \(String(describing: error))")
                return
            }
            #expect(error?.apiError.status.code == 409)
            #expect(try await fixture.shipping.store.record(shipmentId: shipmentId) == before)
            #expect(try await fixture.outbox().count == outboxBefore)
        }
    }
}
