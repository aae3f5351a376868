import Contracts
import Foundation
import Testing
@testable import OrderService

/// The happy path and C1–C15 (DOMAIN.md §4.5), each from `place` to its end state: the statuses entered
/// must be API.md §4.3's observable sequence, and the commands the ones each path needs.
@Suite("Checkout saga: paths")
struct SagaPathTests {
    @Test func happyPath() {
        var j = Journey()
        j.on(Fx.reserved, Fx.initiated(), Fx.succeeded(), Fx.committed, Fx.shipmentCreated, Fx.label, Fx.dispatched, Fx.delivered)
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .paid, .fulfilling, .shipped, .delivered])
        #expect(j.commandNames == ["ReserveStock", "ExtendReservation", "CommitStock", "CreateShipment"])
        #expect(j.eventNames == ["OrderPlaced", "OrderAwaitingPayment", "OrderPaid", "OrderShipped", "OrderDelivered"])
        #expect(j.order.paymentDueBy == Fx.dueBy)
        #expect(j.order.shipmentId == "s1" && j.order.carrier == "SIMCARRIER" && j.order.trackingNumber == "TRK1")
        #expect(j.deadline == SagaDeadline(.returnWindow, dueAt: Fx.deliveredAt.addingTimeInterval(Fx.settings.returnWindow)))
        #expect(j.events.contains(.delivered(OrderDelivered(orderId: "o1", userId: "u1", productIds: ["p1"], deliveredAt: Fx.deliveredAt))))
        #expect(j.commands.contains(.createShipment(CreateShipment(orderId: "o1", userId: "u1", method: .standard,
                                                                   shipTo: Fx.address, lines: [ProductQuantity(productId: "p1", quantity: 2)]))))
        j.fire(.returnWindow)
        #expect(j.order.status == .completed && j.eventNames.last == "OrderCompleted" && j.deadline == nil)
        #expect(j.order.cancelReason == nil && !j.order.stuck)
    }

    @Test func c1OutOfStock() {
        var j = Journey()
        j.on(Fx.rejected)
        #expect(j.statuses == [.pendingReservation, .cancelled])
        #expect(j.order.cancelReason == .outOfStock)
        #expect(j.commandNames == ["ReserveStock"])
        #expect(j.events.last == .cancelled(OrderCancelled(orderId: "o1", reason: "OUT_OF_STOCK", refundRequired: false)))
    }

    @Test func c2NoReservationReply() {
        var j = Journey()
        for _ in 0..<Fx.settings.reservationResends {
            j.fire(.reservationReply)
            #expect(j.order.status == .pendingReservation && j.deadline?.kind == .reservationReply)
        }
        j.fire(.reservationReply)
        #expect(j.order.status == .cancellationPending && j.deadline == nil)
        j.on(Fx.released)
        #expect(j.statuses == [.pendingReservation, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .systemTimeout)
        #expect(j.commandNames == Array(repeating: "ReserveStock", count: 1 + Fx.settings.reservationResends) + ["ReleaseStock"])
    }

    @Test(arguments: [false, true])
    func c3CustomerCancelsBeforePayment(afterReservation: Bool) {
        var j = Journey()
        if afterReservation { j.on(Fx.reserved) }
        j.on(.customerCancel(reason: nil))
        #expect(j.order.status == .cancellationPending)
        // A reservation that lands now is released again (C3), and the order still ends on the first ack.
        if !afterReservation {
            j.on(Fx.reserved)
            #expect(j.commandNames.filter { $0 == "ReleaseStock" }.count == 2)
        }
        j.on(Fx.released)
        #expect(j.order.status == .cancelled && j.order.cancelReason == .customerRequest)
        let expected: [OrderStatus] = afterReservation
            ? [.pendingReservation, .awaitingPayment, .cancellationPending, .cancelled]
            : [.pendingReservation, .cancellationPending, .cancelled]
        #expect(j.statuses == expected)
        j.on(Fx.released)  // the second release's reply
        #expect(!j.last.changesSomething && j.order.status == .cancelled)
    }

    @Test func c4RetryableDeclinesUntilMaxAttempts() {
        var j = Journey.processing()
        j.on(Fx.failed("pay1"))
        #expect(j.order.status == .awaitingPayment && j.order.paymentAttempts == 1 && j.order.paymentDueBy == Fx.dueBy)
        j.on(Fx.initiated("pay2"), Fx.failed("pay2", code: "INSUFFICIENT_FUNDS"))
        #expect(j.order.status == .awaitingPayment && j.order.paymentAttempts == 2)
        j.on(Fx.initiated("pay3"), Fx.failed("pay3"))
        #expect(j.order.status == .cancellationPending && j.order.paymentAttempts == 3)
        j.on(Fx.released)
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .awaitingPayment, .paymentProcessing,
                               .awaitingPayment, .paymentProcessing, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .paymentFailed)
        // OrderAwaitingPayment on every entry (payment's projection reopens the order); one extension only.
        #expect(j.eventNames.filter { $0 == "OrderAwaitingPayment" }.count == 3)
        #expect(j.commandNames == ["ReserveStock", "ExtendReservation", "ReleaseStock"])
    }

    @Test func c4StaleFailureOfAnEarlierAttemptIsIgnored() {
        var j = Journey.processing()
        j.on(Fx.failed("pay1"), Fx.initiated("pay2"))
        let decision = j.on(Fx.failed("pay1"))
        #expect(!decision.changesSomething && j.order.status == .paymentProcessing && j.order.paymentAttempts == 1)
    }

    @Test func c4FinalDeclineIsFraud() {
        var j = Journey.processing()
        j.on(Fx.failed(code: "FRAUD_SUSPECTED", retryable: false), Fx.released)
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .fraudSuspected)
    }

    @Test func c4OtherFinalDeclineIsPaymentFailed() {
        var j = Journey.processing()
        j.on(Fx.failed(code: "CARD_EXPIRED", retryable: false), Fx.released)
        #expect(j.order.status == .cancelled && j.order.cancelReason == .paymentFailed)
    }

    @Test func c5ReservationExpiresBeforePayment() {
        var j = Journey()
        j.on(Fx.reserved, Fx.expired)
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .reservationTimeout)
        #expect(j.commandNames == ["ReserveStock"])  // nothing left to release: inventory's sweeper did it
    }

    @Test func c5ReservationExpiresDuringPaymentVoidsFirst() {
        var j = Journey.processing()
        j.on(Fx.expired)
        #expect(j.order.status == .cancellationPending && j.commandNames.last == "VoidPayment")
        j.on(Fx.voided())
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .reservationTimeout)
    }

    @Test func c6PaymentTimeout() {
        var j = Journey.processing()
        #expect(j.deadline?.kind == .paymentReply)
        j.fire(.paymentReply)
        #expect(Array(j.commandNames.suffix(2)) == ["VoidPayment", "ReleaseStock"])
        // Both compensations must be acknowledged, in either order.
        j.on(Fx.voided())
        #expect(j.order.status == .cancellationPending)
        j.on(Fx.released)
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .cancellationPending, .cancelled])
        #expect(j.order.cancelReason == .paymentTimeout)
    }

    @Test(arguments: [false, true])
    func c7CaptureAfterCancellation(afterCancelled: Bool) {
        var j = Journey.processing()
        j.fire(.paymentReply)
        if afterCancelled { j.on(Fx.voided(), Fx.released) }  // the void "succeeded" before the capture landed
        j.on(Fx.succeeded())
        #expect(j.order.status == .refundPending && j.order.cancelReason == .paymentTimeout)
        j.on(Fx.refunded())
        let tail: [OrderStatus] = afterCancelled ? [.cancellationPending, .cancelled, .refundPending, .refunded]
                                                 : [.cancellationPending, .refundPending, .refunded]
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing] + tail)
        #expect(j.refunds == [RefundPayment(orderId: "o1", paymentId: "pay1", amount: Fx.total, reason: "LATE_CAPTURE",
                                            refundRequestId: "o1-refund-1")])
        #expect(j.order.cancelReason == .paymentTimeout)
        #expect(!j.statuses.contains(.paid))
        #expect(j.eventNames.filter { $0 == "OrderCancelled" }.count == 1)
        #expect(j.eventNames.last == "OrderRefunded")
    }

    @Test func c8CommitFailsAfterPayment() {
        var j = Journey.paid()
        j.on(Fx.shipmentCreated, Fx.commitFailed)
        #expect(j.order.status == .cancellationPending && j.commandNames.last == "CancelShipment")
        #expect(j.last.alert != nil)
        j.on(Fx.shipmentCancelled)
        j.on(Fx.refunded())
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .paid, .cancellationPending,
                               .refundPending, .refunded])
        #expect(j.order.cancelReason == .outOfStock)
        #expect(!j.commandNames.contains("ReturnStock"))  // the commit failed: nothing to return
        #expect(j.refunds.map(\.amount) == [Fx.total])
    }

    @Test func c9ShipmentFailsRetryablyThenFinally() {
        var j = Journey.paid()
        j.on(Fx.committed, Fx.creationFailed())
        #expect(j.deadline?.kind == .shipmentRetry)
        j.fire(.shipmentRetry)
        #expect(j.commandNames.filter { $0 == "CreateShipment" }.count == 2)
        j.on(Fx.creationFailed(retryable: false))
        #expect(j.order.status == .cancellationPending && j.commandNames.last == "ReturnStock")  // no shipment to cancel
        j.on(Fx.stockReturned)
        #expect(j.order.status == .refundPending && j.commandNames.last == "RefundPayment")
        j.on(Fx.refunded())
        #expect(j.statuses.suffix(4) == [.paid, .cancellationPending, .refundPending, .refunded])
        #expect(j.order.cancelReason == .shippingFailed)
    }

    @Test func c9RetriesExhausted() {
        var j = Journey.paid()
        for _ in 1..<Fx.settings.maxShipmentAttempts {
            j.on(Fx.creationFailed())
            j.fire(.shipmentRetry)
        }
        j.on(Fx.creationFailed())
        #expect(j.order.status == .cancellationPending && j.order.cancelReason == .shippingFailed)
        #expect(j.commandNames.filter { $0 == "CreateShipment" }.count == Fx.settings.maxShipmentAttempts)
        #expect(j.last.alert != nil)
    }

    @Test(arguments: [OrderStatus.paid, .fulfilling])
    func c10CustomerCancelsAfterPayment(from status: OrderStatus) {
        var j = Journey.paid()
        if status == .fulfilling { j.on(Fx.committed, Fx.shipmentCreated) }
        j.on(.customerCancel(reason: "changed my mind"))
        #expect(j.commandNames.last == "CancelShipment")
        j.on(Fx.shipmentCancelled)
        // Only once the parcel is stopped does the stock go back, and only then the money.
        #expect(j.commandNames.last == "ReturnStock" && j.order.status == .cancellationPending)
        j.on(Fx.stockReturned)
        #expect(j.commandNames.last == "RefundPayment")
        j.on(Fx.refunded())
        #expect(j.statuses.suffix(3) == [.cancellationPending, .refundPending, .refunded])
        #expect(j.order.cancelReason == .customerRequest)
        #expect(j.refunds.count == 1)
        #expect(j.events.contains(.cancelled(OrderCancelled(orderId: "o1", reason: "CUSTOMER_REQUEST", refundRequired: true))))
    }

    /// C10's race: the parcel left first. The cancel loses; nothing is returned or refunded; the order goes
    /// on as shipped and the customer may return it after delivery.
    @Test func c10DispatchWinsTheRace() {
        var j = Journey.paid()
        j.on(Fx.committed, Fx.shipmentCreated, .customerCancel(reason: nil), Fx.label, Fx.dispatched, Fx.cancellationRejected)
        #expect(j.order.status == .shipped && j.order.cancelReason == nil)
        #expect(j.statuses.suffix(3) == [.fulfilling, .cancellationPending, .shipped])
        #expect(!j.commandNames.contains("ReturnStock") && j.refunds.isEmpty)
        #expect(j.events.last == .shipped(OrderShipped(orderId: "o1", shipmentId: "s1", carrier: "SIMCARRIER", trackingNumber: "TRK1",
                                                       shippedAt: Fx.dispatchedAt)))
        j.on(Fx.delivered)
        #expect(j.order.status == .delivered)
    }

    @Test func c10CancelRefusedOnceADispatchIsKnown() {
        var j = Journey.paid()
        let decision = j.on(Fx.dispatched, .customerCancel(reason: nil))
        guard case .refused = decision.outcome else { Issue.record("\(decision.outcome)"); return }
    }

    @Test(arguments: [Fx.deliveryFailed(), Fx.returnedToSender])
    func c11ParcelComesBack(_ message: SagaMessage) {
        var j = Journey.paid()
        j.on(Fx.committed, Fx.shipmentCreated, Fx.dispatched, Fx.deliveryFailed(final: false))
        #expect(j.order.status == .shipped)
        j.on(message, Fx.stockReturned, Fx.refunded())
        #expect(j.statuses.suffix(4) == [.shipped, .returned, .refundPending, .refunded])
        #expect(j.order.cancelReason == nil)
        #expect(Array(j.commandNames.suffix(2)) == ["ReturnStock", "RefundPayment"])
    }

    @Test func c12CustomerReturn() {
        var j = Journey.paid()
        j.on(Fx.committed, Fx.shipmentCreated, Fx.dispatched, Fx.delivered)
        j.on(.customerReturn(reason: "too small"))
        #expect(j.deadline == nil)  // the return window no longer completes the order
        j.on(.returnReceived)
        #expect(j.refunds == [RefundPayment(orderId: "o1", paymentId: "pay1", amount: Fx.total, reason: "too small",
                                            refundRequestId: "o1-refund-1")])
        // A partial refund first (cumulative), then the rest.
        let half = Money(amountMinor: 1999, currency: .EUR)
        j.on(Fx.refunded(half, total: half))
        #expect(j.order.status == .refundPending && j.order.facts.refundedMinor == 1999)
        j.on(Fx.refunded(half, total: Fx.total))
        #expect(j.statuses.suffix(5) == [.delivered, .returnRequested, .returned, .refundPending, .refunded])
        #expect(j.events.last == .refunded(OrderRefunded(orderId: "o1", paymentId: "pay1", amount: Fx.total, refundId: "rf-1",
                                                         refundedAt: Fx.t0)))
    }

    @Test func c12ReturnRefusedAfterTheWindow() {
        var j = Journey.paid()
        j.on(Fx.committed, Fx.shipmentCreated, Fx.dispatched, Fx.delivered)
        j.fire(.returnWindow)
        guard case .refused = j.on(.customerReturn(reason: "late")).outcome else { Issue.record("not refused"); return }
        #expect(j.order.status == .completed)
    }

    @Test func c13RefundKeepsFailingThenAnAdminRefundCloses() {
        var j = Journey.paid()
        j.on(.customerCancel(reason: nil), Fx.shipmentCancelled, Fx.stockReturned)
        for attempt in 1..<Fx.settings.maxRefundAttempts {
            j.on(Fx.refundFailed(request: attempt))
            #expect(j.deadline?.kind == .refundRetry)
            j.fire(.refundRetry)
        }
        j.on(Fx.refundFailed(request: Fx.settings.maxRefundAttempts))
        #expect(j.order.status == .refundFailed && j.order.stuck && j.last.alert != nil)
        // Every retry was a new request id, each for the full amount.
        #expect(j.refunds.map(\.refundRequestId) == ["o1-refund-1", "o1-refund-2", "o1-refund-3"])
        #expect(j.refunds.allSatisfy { $0.amount == Fx.total })
        guard case .refused = j.on(.customerCancel(reason: nil)).outcome else { Issue.record("not refused"); return }
        // The admin refund (no saga request id) closes it.
        j.on(Fx.refunded(request: nil))
        #expect(j.statuses.suffix(4) == [.cancellationPending, .refundPending, .refundFailed, .refunded])
    }

    @Test func c14RedriveClearsStuckAndReissues() {
        var j = Journey.paid()
        j.order.stuck = true  // as the consumer sets it when a message of this order went to the DLT
        let decision = j.on(.operatorRedrive)
        #expect(!j.order.stuck && j.order.status == .paid)
        #expect(decision.commands.map(\.name) == ["CommitStock", "CreateShipment"])
        // Re-issued commands are idempotent at the participants: the order still converges.
        j.on(Fx.committed, Fx.shipmentCreated, Fx.committed, Fx.shipmentCreated)
        #expect(j.order.status == .fulfilling)
    }

    @Test func c15AmountMismatch() {
        var j = Journey.processing()
        let captured = Money(amountMinor: Fx.total.amountMinor + 1, currency: .EUR)
        j.on(Fx.succeeded(captured: captured))
        #expect(j.order.stuck && j.last.alert != nil && j.order.status == .refundPending)
        j.on(Fx.released, Fx.refunded(captured, total: captured))
        #expect(j.statuses == [.pendingReservation, .awaitingPayment, .paymentProcessing, .refundPending, .refunded])
        #expect(j.order.cancelReason == .paymentFailed)
        #expect(j.refunds == [RefundPayment(orderId: "o1", paymentId: "pay1", amount: captured, reason: "AMOUNT_MISMATCH",
                                            refundRequestId: "o1-refund-1")])
        #expect(!j.eventNames.contains("OrderPaid") && !j.commandNames.contains("CommitStock"))
        #expect(j.commandNames.contains("ReleaseStock"))
    }

    /// Not a listed path: a second capture (another payment) after one was accepted is flagged, not dropped.
    @Test func aSecondCaptureIsFlaggedForAnOperator() {
        var j = Journey.paid()
        let decision = j.on(Fx.succeeded("pay2"))
        #expect(j.order.stuck && decision.alert != nil && j.order.status == .paid && decision.commands.isEmpty)
        #expect(!j.on(Fx.succeeded("pay2")).changesSomething)  // its redelivery
        #expect(!j.on(Fx.succeeded("pay1")).changesSomething)  // the first capture's redelivery
    }

    @Test func c15CurrencyMismatchIsAMismatchToo() {
        var j = Journey.processing()
        j.on(Fx.succeeded(captured: Money(amountMinor: Fx.total.amountMinor, currency: .USD)))
        #expect(j.order.status == .refundPending && j.order.stuck)
    }
}
