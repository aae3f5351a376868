import Contracts
import Foundation
@testable import OrderService

/// Shared test data for the saga's tests: one order, one representative message per `SagaMessage` case,
/// the order as the saga leaves it in each status, and short names for commands and events.
enum Fx {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let orderId = "o1"
    static let userId = "u1"
    static let eur = Currency.EUR
    static let total = Money(amountMinor: 3998, currency: .EUR)
    static let dueBy = t0.addingTimeInterval(900)
    static let line = OrderLine(productId: "p1", sku: "TS-RED-M", name: "Red T-shirt", quantity: 2,
                                unitPrice: Money(amountMinor: 1999, currency: .EUR), lineTotal: total)
    static let address = AddressSnapshot(recipientName: "Ada", line1: "1 A St", city: "London", postalCode: "SW1", country: "GB")

    static var settings: SagaSettings {
        var settings = SagaSettings()
        settings.reservationReplyTimeout = 30
        settings.reservationResends = 3
        settings.paymentTimeout = 120
        settings.maxPaymentAttempts = 3
        settings.refundRetryDelay = 60
        settings.maxRefundAttempts = 3
        settings.shipmentRetryDelay = 30
        settings.maxShipmentAttempts = 3
        return settings
    }

    static var newOrder: SagaOrder {
        SagaOrder(id: orderId, userId: userId, status: .pendingReservation, lines: [line], total: total, shippingAddress: address)
    }

    static var placed: OrderPlaced {
        OrderPlaced(orderId: orderId, userId: userId, lines: [line], subtotal: total, total: total,
                    shippingAddress: address, billingAddress: address, placedAt: t0)
    }

    // MARK: Messages

    static let reserved = SagaMessage.stockReserved(StockReserved(
        orderId: orderId, reservationId: "r1", lines: [StockReservationLine(productId: "p1", warehouseId: "w1", quantity: 2)],
        expiresAt: dueBy))
    static let rejected = SagaMessage.stockReservationRejected(StockReservationRejected(
        orderId: orderId, reason: "INSUFFICIENT_STOCK", lines: [.init(productId: "p1", requested: 2, available: 1)], rejectedAt: t0))
    static let extended = SagaMessage.stockReservationExtended(StockReservationExtended(
        orderId: orderId, reservationId: "r1", expiresAt: dueBy.addingTimeInterval(600)))
    static let released = SagaMessage.stockReservationReleased(StockReservationReleased(
        orderId: orderId, reservationId: "r1", reason: "CUSTOMER_REQUEST", lines: [], releasedAt: t0))
    static let expired = SagaMessage.stockReservationExpired(StockReservationExpired(orderId: orderId, reservationId: "r1", expiredAt: t0))
    static let committed = SagaMessage.stockCommitted(StockCommitted(
        orderId: orderId, reservationId: "r1", lines: [.init(productId: "p1", warehouseId: "w1", quantity: 2)], committedAt: t0))
    static let commitFailed = SagaMessage.stockCommitFailed(StockCommitFailed(
        orderId: orderId, reservationId: "r1", reason: "RESERVATION_EXPIRED", failedAt: t0))
    static let stockReturned = SagaMessage.stockReturned(StockReturned(
        orderId: orderId, reservationId: "r1", lines: [], reason: "CUSTOMER_REQUEST", returnedAt: t0))

    static func initiated(_ paymentId: String = "pay1") -> SagaMessage {
        .paymentInitiated(PaymentInitiated(orderId: orderId, paymentId: paymentId, amount: total, method: "CARD", initiatedAt: t0))
    }
    static func succeeded(_ paymentId: String = "pay1", captured: Money = total) -> SagaMessage {
        .paymentSucceeded(PaymentSucceeded(orderId: orderId, paymentId: paymentId, amount: total, captured: captured,
                                           capturedAt: t0, pspReference: "psp"))
    }
    static func failed(_ paymentId: String = "pay1", code: String = "CARD_DECLINED", retryable: Bool = true) -> SagaMessage {
        .paymentFailed(PaymentFailed(orderId: orderId, paymentId: paymentId, failureCode: code, retryable: retryable, failedAt: t0))
    }
    static func voided(_ paymentId: String = "pay1") -> SagaMessage {
        .paymentVoided(PaymentVoided(orderId: orderId, paymentId: paymentId, reason: "PAYMENT_TIMEOUT", voidedAt: t0))
    }
    static func refunded(_ amount: Money = total, total refundedTotal: Money = total, request: Int? = 1,
                         paymentId: String = "pay1") -> SagaMessage {
        .paymentRefunded(PaymentRefunded(orderId: orderId, paymentId: paymentId, refundId: "rf-\(request ?? 0)", amount: amount,
                                         refundedTotal: refundedTotal, fullyRefunded: false,
                                         refundRequestId: request.map { "\(orderId)-refund-\($0)" }, refundedAt: t0))
    }
    static func refundFailed(request: Int = 1, amount: Money = total) -> SagaMessage {
        .refundFailed(RefundFailed(orderId: orderId, paymentId: "pay1", refundId: "rf-\(request)", amount: amount,
                                   failureCode: "REFUND_DECLINED", refundRequestId: "\(orderId)-refund-\(request)", failedAt: t0))
    }
    static let shipmentCreated = SagaMessage.shipmentCreated(ShipmentCreated(
        orderId: orderId, shipmentId: "s1", method: .standard, cost: Money(amountMinor: 499, currency: .EUR),
        estimatedDeliveryAt: t0.addingTimeInterval(3 * 86_400), createdAt: t0))
    static func creationFailed(retryable: Bool = true) -> SagaMessage {
        .shipmentCreationFailed(ShipmentCreationFailed(orderId: orderId, reason: retryable ? "CARRIER_UNAVAILABLE" : "DESTINATION_REFUSED",
                                                       reasonDetail: "", retryable: retryable, failedAt: t0))
    }
    static let label = SagaMessage.shipmentLabelCreated(ShipmentLabelCreated(
        orderId: orderId, shipmentId: "s1", carrier: "SIMCARRIER", trackingNumber: "TRK1", createdAt: t0))
    static let dispatchedAt = t0.addingTimeInterval(3_600)
    static let dispatched = SagaMessage.shipmentDispatched(ShipmentDispatched(
        orderId: orderId, shipmentId: "s1", carrier: "SIMCARRIER", trackingNumber: "TRK1", shippedAt: dispatchedAt))
    static let deliveredAt = t0.addingTimeInterval(86_400)
    static let delivered = SagaMessage.shipmentDelivered(ShipmentDelivered(orderId: orderId, shipmentId: "s1", deliveredAt: deliveredAt))
    static func deliveryFailed(final: Bool = true) -> SagaMessage {
        .shipmentDeliveryFailed(ShipmentDeliveryFailed(orderId: orderId, shipmentId: "s1", reason: "NOBODY_HOME", final: final, occurredAt: t0))
    }
    static let returnedToSender = SagaMessage.shipmentReturnedToSender(ShipmentReturnedToSender(orderId: orderId, shipmentId: "s1", at: t0))
    static let shipmentCancelled = SagaMessage.shipmentCancelled(ShipmentCancelled(orderId: orderId, shipmentId: "s1", reason: "CUSTOMER_REQUEST", at: t0))
    static let cancellationRejected = SagaMessage.shipmentCancellationRejected(ShipmentCancellationRejected(
        orderId: orderId, shipmentId: "s1", status: .dispatched, reason: "the carrier already has the parcel", at: dispatchedAt))

    /// One representative of every `SagaMessage` case (every deadline kind counts as a case).
    static var everyMessage: [SagaMessage] {
        [reserved, rejected, extended, released, expired, committed, commitFailed, stockReturned,
         initiated(), succeeded(), failed(), voided(), refunded(), refundFailed(),
         shipmentCreated, creationFailed(), label, dispatched, delivered, deliveryFailed(), returnedToSender,
         shipmentCancelled, cancellationRejected,
         .customerCancel(reason: "changed my mind"), .customerReturn(reason: "too small"), .returnReceived, .operatorRedrive]
            + SagaDeadline.Kind.allCases.map { SagaMessage.deadline($0) }
    }

    // MARK: The order as the saga leaves it in each status (on its usual path there)

    static func order(in status: OrderStatus) -> SagaOrder {
        var order = newOrder
        order.status = status
        var facts = SagaFacts()
        func reserve() { facts.reserved = true; facts.reservationId = "r1"; order.paymentDueBy = dueBy }
        func pay() {
            reserve()
            facts.extensionRequested = true
            order.paymentId = "pay1"
            facts.captured = total
            facts.capturedPaymentId = "pay1"
            facts.commitRequested = true
            facts.shipmentRequested = true
            facts.shipmentAttempts = 1
        }
        func fulfil() { pay(); facts.stockCommitted = true; facts.shipmentCreated = true; order.shipmentId = "s1" }
        func ship() {
            fulfil(); facts.dispatchedAt = dispatchedAt; order.carrier = "SIMCARRIER"; order.trackingNumber = "TRK1"
        }
        func deliver() { ship(); facts.deliveredAt = deliveredAt }
        switch status {
        case .pendingReservation: break
        case .awaitingPayment: reserve()
        case .paymentProcessing: reserve(); facts.extensionRequested = true; order.paymentId = "pay1"
        case .paid: pay()
        case .fulfilling: fulfil()
        case .shipped: ship()
        case .delivered, .completed: deliver()
        case .returnRequested, .returned: deliver(); facts.returnReason = "too small"
        case .cancellationPending:
            // A customer cancel while the reservation was still pending: the release is awaited.
            order.cancelReason = .customerRequest
            facts.awaiting = [.stockReleased]
        case .cancelled:
            order.cancelReason = .customerRequest
            facts.stockUndone = true
        case .refundPending, .refunded, .refundFailed:
            // A customer cancel after payment, shipment cancelled and stock returned.
            pay()
            order.cancelReason = .customerRequest
            facts.shipmentCancelRequested = true
            facts.stockUndone = true
            facts.refundReason = "CUSTOMER_REQUEST"
            facts.refundRequests = 1
            if status == .refunded { facts.refundedMinor = total.amountMinor }
            if status == .refundFailed { facts.refundRequests = 3; facts.refundFailures = 3; order.stuck = true }
        }
        order.facts = facts
        return order
    }
}

// MARK: Short names, so expectations read as the spec does

extension SagaCommand {
    var name: String {
        switch self {
        case .reserveStock: "ReserveStock"
        case .extendReservation: "ExtendReservation"
        case .releaseStock: "ReleaseStock"
        case .commitStock: "CommitStock"
        case .returnStock: "ReturnStock"
        case .voidPayment: "VoidPayment"
        case .refundPayment: "RefundPayment"
        case .createShipment: "CreateShipment"
        case .cancelShipment: "CancelShipment"
        }
    }

    var refund: RefundPayment? {
        if case .refundPayment(let refund) = self { refund } else { nil }
    }
}

extension OrderEvent {
    var name: String {
        switch self {
        case .placed: "OrderPlaced"
        case .awaitingPayment: "OrderAwaitingPayment"
        case .paid: "OrderPaid"
        case .cancellationRequested: "OrderCancellationRequested"
        case .cancelled: "OrderCancelled"
        case .shipped: "OrderShipped"
        case .delivered: "OrderDelivered"
        case .completed: "OrderCompleted"
        case .returnRequested: "OrderReturnRequested"
        case .returned: "OrderReturned"
        case .refunded: "OrderRefunded"
        }
    }
}

/// An order driven through messages from `place`, keeping everything the saga said.
struct Journey {
    var order: SagaOrder
    var now: Date
    let settings: SagaSettings
    /// Every status entered, starting with `PENDING_RESERVATION` from `place`.
    var statuses: [OrderStatus]
    var commands: [SagaCommand]
    var events: [OrderEvent]
    var alerts: [String] = []
    var deadline: SagaDeadline?
    var last: SagaDecision

    init(settings: SagaSettings = Fx.settings) {
        self.settings = settings
        now = Fx.t0
        let decision = CheckoutSaga.place(Fx.newOrder, placed: Fx.placed, now: now, settings: settings)
        order = decision.order
        statuses = decision.entered.map(\.status)
        commands = decision.commands
        events = decision.events
        if case .set(let deadline) = decision.deadline { self.deadline = deadline }
        last = decision
    }

    /// Applies `messages` in order, one second apart, as the store would (the decision's order is kept).
    @discardableResult
    mutating func on(_ messages: SagaMessage...) -> SagaDecision {
        for message in messages {
            now = now.addingTimeInterval(1)
            let decision = CheckoutSaga.decide(message, for: order, now: now, settings: settings)
            order = decision.order
            statuses += decision.entered.map(\.status)
            commands += decision.commands
            events += decision.events
            alerts += decision.alert.map { [$0] } ?? []
            switch decision.deadline {
            case .keep: break
            case .clear: deadline = nil
            case .set(let new): deadline = new
            }
            last = decision
        }
        return last
    }

    /// The armed deadline fires (its kind, as the store would send it).
    @discardableResult
    mutating func fire(_ kind: SagaDeadline.Kind) -> SagaDecision { on(.deadline(kind)) }

    var commandNames: [String] { commands.map(\.name) }
    var eventNames: [String] { events.map(\.name) }
    var refunds: [RefundPayment] { commands.compactMap(\.refund) }

    /// The journey to `AWAITING_PAYMENT`, then `PAYMENT_PROCESSING` with payment `pay1`.
    static func processing() -> Journey {
        var journey = Journey()
        journey.on(Fx.reserved, Fx.initiated())
        return journey
    }

    /// The journey to `PAID`.
    static func paid() -> Journey {
        var journey = processing()
        journey.on(Fx.succeeded())
        return journey
    }
}
