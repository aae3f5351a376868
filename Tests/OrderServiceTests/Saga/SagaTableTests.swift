import Contracts
import Foundation
import Testing
@testable import OrderService

/// Every `OrderStatus` × every `SagaMessage` case (DOMAIN.md §4.4 rule 1). The rows below list what the
/// diagram allows; every pair not listed must be `.ignored` (or, for a customer request, `.refused`) with the
/// order unchanged and nothing sent, emitted or re-armed.
@Suite("Checkout saga: the transition table")
struct SagaTableTests {
    enum Deadline: Equatable {
        case keep, clear
        case set(SagaDeadline.Kind)
    }

    struct Expect {
        var entered: [OrderStatus]
        var commands: [String]
        var events: [String]
        var deadline: Deadline
        /// An operator is paged (C8).
        var alert = false
    }

    /// The listed transitions, keyed "STATUS · message". `entered` empty = recorded, status unchanged.
    static let rows: [String: Expect] = {
        typealias E = Expect
        var rows: [String: Expect] = [:]
        func row(_ status: OrderStatus, _ message: String, _ entered: [OrderStatus], _ commands: [String] = [],
                 _ events: [String] = [], _ deadline: Deadline? = nil) {
            rows["\(status.rawValue) · \(message)"] = E(entered: entered, commands: commands, events: events,
                                                         deadline: deadline ?? (entered.isEmpty ? .keep : .clear))
        }
        let cancelRequested = ["OrderCancellationRequested"]

        row(.pendingReservation, "StockReserved", [.awaitingPayment], [], ["OrderAwaitingPayment"])
        row(.pendingReservation, "StockReservationRejected", [.cancelled], [], ["OrderCancelled"])
        row(.pendingReservation, "customer cancel", [.cancellationPending], ["ReleaseStock"], cancelRequested)
        row(.pendingReservation, "deadline RESERVATION_REPLY", [], ["ReserveStock"], [], .set(.reservationReply))
        row(.pendingReservation, "operator redrive", [], ["ReserveStock"], [], .set(.reservationReply))

        row(.awaitingPayment, "StockReservationExtended", [])
        row(.awaitingPayment, "StockReservationExpired", [.cancellationPending, .cancelled], [], cancelRequested + ["OrderCancelled"])
        row(.awaitingPayment, "PaymentInitiated", [.paymentProcessing], ["ExtendReservation"], [], .set(.paymentReply))
        row(.awaitingPayment, "PaymentSucceeded", [.paid], ["CommitStock", "CreateShipment"], ["OrderPaid"])
        row(.awaitingPayment, "customer cancel", [.cancellationPending], ["ReleaseStock"], cancelRequested)

        row(.paymentProcessing, "StockReservationExtended", [])
        row(.paymentProcessing, "StockReservationExpired", [.cancellationPending], ["VoidPayment"], cancelRequested)
        row(.paymentProcessing, "PaymentSucceeded", [.paid], ["CommitStock", "CreateShipment"], ["OrderPaid"])
        row(.paymentProcessing, "PaymentFailed", [.awaitingPayment], [], ["OrderAwaitingPayment"])
        row(.paymentProcessing, "deadline PAYMENT_REPLY", [.cancellationPending], ["VoidPayment", "ReleaseStock"], cancelRequested)

        for fact in ["StockCommitted", "ShipmentCreated", "ShipmentLabelCreated", "ShipmentDispatched", "ShipmentDelivered",
                     "ShipmentDeliveryFailed", "ShipmentReturnedToSender"] {
            row(.paid, fact, [])
        }
        row(.paid, "StockCommitFailed", [.cancellationPending], ["CancelShipment"], cancelRequested)
        rows["PAID · StockCommitFailed"]?.alert = true
        row(.paid, "ShipmentCreationFailed", [], [], [], .set(.shipmentRetry))
        row(.paid, "customer cancel", [.cancellationPending], ["CancelShipment"], cancelRequested)
        row(.paid, "operator redrive", [], ["CommitStock", "CreateShipment"])

        for fact in ["ShipmentLabelCreated", "ShipmentDelivered", "ShipmentDeliveryFailed", "ShipmentReturnedToSender"] {
            row(.fulfilling, fact, [])
        }
        row(.fulfilling, "ShipmentDispatched", [.shipped], [], ["OrderShipped"])
        row(.fulfilling, "customer cancel", [.cancellationPending], ["CancelShipment"], cancelRequested)

        row(.shipped, "ShipmentDelivered", [.delivered], [], ["OrderDelivered"], .set(.returnWindow))
        for cameBack in ["ShipmentDeliveryFailed", "ShipmentReturnedToSender"] {
            row(.shipped, cameBack, [.returned, .refundPending], ["ReturnStock", "RefundPayment"], ["OrderReturned"])
        }

        row(.delivered, "deadline RETURN_WINDOW", [.completed], [], ["OrderCompleted"])
        row(.delivered, "customer return", [.returnRequested], [], ["OrderReturnRequested"])
        row(.returnRequested, "return received", [.returned, .refundPending], ["ReturnStock", "RefundPayment"], ["OrderReturned"])

        row(.cancellationPending, "StockReserved", [], ["ReleaseStock"])  // C3: late reservation
        row(.cancellationPending, "StockReservationReleased", [.cancelled], [], ["OrderCancelled"])
        row(.cancellationPending, "PaymentSucceeded", [.refundPending], ["RefundPayment"], ["OrderCancelled"])  // C7
        row(.cancellationPending, "operator redrive", [], ["ReleaseStock"])

        row(.cancelled, "StockReserved", [], ["ReleaseStock"])
        row(.cancelled, "PaymentSucceeded", [.refundPending], ["RefundPayment"])  // C7

        row(.refundPending, "PaymentRefunded", [.refunded], [], ["OrderRefunded"])
        row(.refundPending, "RefundFailed", [], [], [], .set(.refundRetry))
        row(.refundPending, "operator redrive", [], ["RefundPayment"])
        row(.refundFailed, "PaymentRefunded", [.refunded], [], ["OrderRefunded"])  // the admin refund closes C13
        row(.refundFailed, "operator redrive", [], ["RefundPayment"])
        return rows
    }()

    /// Customer requests the state refuses (HTTP 409).
    static func refuses(_ status: OrderStatus, _ message: SagaMessage) -> Bool {
        switch message {
        case .customerCancel:
            [.paymentProcessing, .shipped, .delivered, .completed, .returnRequested, .returned, .refundFailed].contains(status)
        case .customerReturn: status != .delivered
        case .returnReceived: status != .returnRequested
        default: false
        }
    }

    static let pairs: [(OrderStatus, SagaMessage)] = OrderStatus.allCases.flatMap { status in
        Fx.everyMessage.map { (status, $0) }
    }

    @Test func coversEveryStatusAndMessageCase() {
        #expect(Self.pairs.count == OrderStatus.allCases.count * 32)
        // Every row names a real pair (a typo would silently turn a row into an "ignored" expectation).
        let names = Set(Self.pairs.map { "\($0.0.rawValue) · \($0.1.name)" })
        #expect(Set(Self.rows.keys).subtracting(names).isEmpty)
    }

    @Test(arguments: OrderStatus.allCases)
    func everyMessageIn(_ status: OrderStatus) {
        let order = Fx.order(in: status)
        for message in Fx.everyMessage {
            let key = "\(status.rawValue) · \(message.name)"
            let decision = CheckoutSaga.decide(message, for: order, now: Fx.t0, settings: Fx.settings)
            if let expect = Self.rows[key] {
                let deadline: Deadline = switch decision.deadline {
                case .keep: .keep
                case .clear: .clear
                case .set(let d): .set(d.kind)
                }
                #expect(decision.entered.map(\.status) == expect.entered, "\(key)")
                #expect(decision.order.status == (expect.entered.last ?? status), "\(key)")
                #expect(decision.commands.map(\.name) == expect.commands, "\(key)")
                #expect(decision.events.map(\.name) == expect.events, "\(key)")
                #expect(deadline == expect.deadline, "\(key)")
                #expect((decision.alert != nil) == expect.alert, "\(key)")
                switch decision.outcome {
                case .transition(let from, let to): #expect(from == status && to == decision.order.status && !expect.entered.isEmpty, "\(key)")
                case .recorded: #expect(expect.entered.isEmpty, "\(key)")
                case .ignored, .refused: Issue.record("\(key): expected a change, got \(decision.outcome)")
                }
            } else {
                switch decision.outcome {
                case .ignored: #expect(!Self.refuses(status, message), "\(key) should be refused")
                case .refused: #expect(Self.refuses(status, message), "\(key) should not be refused")
                default: Issue.record("\(key): expected ignored or refused, got \(decision.outcome)")
                }
                #expect(decision.order == order, "\(key)")
                #expect(decision.entered.isEmpty && decision.commands.isEmpty && decision.events.isEmpty, "\(key)")
                #expect(decision.deadline == .keep && decision.alert == nil, "\(key)")
                #expect(!decision.changesSomething, "\(key)")
            }
        }
    }

    /// Customer cancel's HTTP contract: 409 while a payment is in flight or after shipping, 200 unchanged
    /// when already cancelling or cancelled.
    @Test func customerCancelAnswers() {
        let ignoredStatuses: [OrderStatus] = [.cancellationPending, .cancelled, .refundPending, .refunded]
        for status in ignoredStatuses {
            let decision = CheckoutSaga.decide(.customerCancel(reason: nil), for: Fx.order(in: status), now: Fx.t0, settings: Fx.settings)
            guard case .ignored = decision.outcome else { Issue.record("\(status) → \(decision.outcome)"); continue }
        }
        let shipped = CheckoutSaga.decide(.customerCancel(reason: nil), for: Fx.order(in: .shipped), now: Fx.t0, settings: Fx.settings)
        guard case .refused(let message) = shipped.outcome else { Issue.record("\(shipped.outcome)"); return }
        #expect(message.contains("return after delivery"))
    }
}
