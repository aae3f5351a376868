import Contracts
import Foundation

/// The part of an order the checkout saga reads and writes: the saga instance (DOMAIN.md §4.3). The store
/// keeps the visible fields in columns and `facts` as JSON, so the saga may record what it needs without a
/// migration.
public struct SagaOrder: Sendable, Equatable {
    public var id: String
    public var userId: String
    public var status: OrderStatus
    public var cancelReason: CancelReason?
    /// The operator overlay (C14, C15): a step exhausted its retries or the captured amount was wrong.
    public var stuck: Bool
    public var lines: [OrderLine]
    public var total: Money
    public var shippingAddress: AddressSnapshot
    /// The reservation's expiry once reserved (`paymentDueBy` in the API).
    public var paymentDueBy: Date?
    /// Failed payment attempts (C4).
    public var paymentAttempts: Int
    /// The latest payment.
    public var paymentId: String?
    public var shipmentId: String?
    public var carrier: String?
    public var trackingNumber: String?
    /// Everything else the saga has learnt and must remember (out-of-order facts, acknowledgements, retry
    /// counters, money captured and refunded).
    public var facts: SagaFacts
    /// The optimistic lock: +1 per stored change.
    public var version: Int

    public init(id: String, userId: String, status: OrderStatus, cancelReason: CancelReason? = nil, stuck: Bool = false,
                lines: [OrderLine], total: Money, shippingAddress: AddressSnapshot, paymentDueBy: Date? = nil,
                paymentAttempts: Int = 0, paymentId: String? = nil, shipmentId: String? = nil, carrier: String? = nil,
                trackingNumber: String? = nil, facts: SagaFacts = SagaFacts(), version: Int = 1) {
        self.id = id
        self.userId = userId
        self.status = status
        self.cancelReason = cancelReason
        self.stuck = stuck
        self.lines = lines
        self.total = total
        self.shippingAddress = shippingAddress
        self.paymentDueBy = paymentDueBy
        self.paymentAttempts = paymentAttempts
        self.paymentId = paymentId
        self.shipmentId = shipmentId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.facts = facts
        self.version = version
    }

    /// The lines as inventory and shipping take them.
    public var productQuantities: [ProductQuantity] {
        lines.map { ProductQuantity(productId: $0.productId, quantity: $0.quantity) }
    }
}

/// What the saga remembers beyond the visible fields. Every field has a default so that rows written by an
/// older version decode (new fields are added as optionals or with defaults, never renamed): `init(from:)`
/// reads each key with `decodeIfPresent`, so `{}` is a fresh order's facts.
public struct SagaFacts: Codable, Sendable, Equatable {
    /// A participant's acknowledgement that a cancellation waits for (`CANCELLATION_PENDING`).
    public enum Ack: String, Codable, Sendable, CaseIterable {
        case stockReleased = "STOCK_RELEASED"      // ReleaseStock → StockReservationReleased
        case paymentVoided = "PAYMENT_VOIDED"      // VoidPayment → PaymentVoided (or the payment's final failure)
        case shipmentCancelled = "SHIPMENT_CANCELLED"  // CancelShipment → ShipmentCancelled
        case stockReturned = "STOCK_RETURNED"      // ReturnStock → StockReturned
    }

    // Reservation (C2, C3, C5)
    /// `StockReserved` was seen (a second one is a duplicate; one in a cancellation is late, C3).
    public var reserved = false
    public var reservationId: String?
    /// `ReserveStock` resends after the reply deadline (C2).
    public var reserveResends = 0
    /// `ExtendReservation` is sent once per order, on the first `PaymentInitiated`.
    public var extensionRequested = false
    /// The reservation is gone (expired, released or returned): nothing to release any more.
    public var stockUndone = false

    // Money (C7, C13, C15)
    /// What payment captured, whatever it was (C15: may differ from the total).
    public var captured: Money?
    public var capturedPaymentId: String?
    /// Cumulative refunded amount (minor units of `captured`'s currency), from `PaymentRefunded.refundedTotal`.
    public var refundedMinor: Int64 = 0
    /// `RefundPayment` requests issued: the n of `<orderId>-refund-<n>`; a re-send keeps n, a retry takes n+1.
    public var refundRequests = 0
    /// Consecutive failures of the refund in flight (C13).
    public var refundFailures = 0
    /// A failed refund waits for its retry deadline.
    public var refundRetryDue = false
    /// Why money goes back (the `reason` of `RefundPayment`).
    public var refundReason: String?

    // Fulfilment (out-of-order facts, C8, C9)
    public var commitRequested = false
    public var stockCommitted = false
    public var stockCommitFailed = false
    /// `CreateShipment` was sent, and how often (C9).
    public var shipmentRequested = false
    public var shipmentAttempts = 0
    public var shipmentRetryDue = false
    /// Shipping created the shipment (`SagaOrder.shipmentId` holds its id).
    public var shipmentCreated = false
    /// Shipping gave up creating it (C9): there is no shipment to cancel.
    public var shipmentFailed = false
    /// Carrier facts, kept until the order reaches the status they advance (a dispatch seen in `PAID`).
    public var dispatchedAt: Date?
    public var deliveredAt: Date?
    /// A final delivery failure or return to sender (C11), kept likewise.
    public var returnedToSender: String?

    // Cancellation and return
    /// Acknowledgements the cancellation still waits for.
    public var awaiting: Set<Ack> = []
    /// The cancellation has sent `CancelShipment`, and got its answer.
    public var shipmentCancelRequested = false
    public var returnReason: String?

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case reserved, reservationId, reserveResends, extensionRequested, stockUndone
        case captured, capturedPaymentId, refundedMinor, refundRequests, refundFailures, refundRetryDue, refundReason
        case commitRequested, stockCommitted, stockCommitFailed, shipmentRequested, shipmentAttempts, shipmentRetryDue
        case shipmentCreated, shipmentFailed, dispatchedAt, deliveredAt, returnedToSender
        case awaiting, shipmentCancelRequested, returnReason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        reserved = try c.decodeIfPresent(Bool.self, forKey: .reserved) ?? false
        reservationId = try c.decodeIfPresent(String.self, forKey: .reservationId)
        reserveResends = try c.decodeIfPresent(Int.self, forKey: .reserveResends) ?? 0
        extensionRequested = try c.decodeIfPresent(Bool.self, forKey: .extensionRequested) ?? false
        stockUndone = try c.decodeIfPresent(Bool.self, forKey: .stockUndone) ?? false
        captured = try c.decodeIfPresent(Money.self, forKey: .captured)
        capturedPaymentId = try c.decodeIfPresent(String.self, forKey: .capturedPaymentId)
        refundedMinor = try c.decodeIfPresent(Int64.self, forKey: .refundedMinor) ?? 0
        refundRequests = try c.decodeIfPresent(Int.self, forKey: .refundRequests) ?? 0
        refundFailures = try c.decodeIfPresent(Int.self, forKey: .refundFailures) ?? 0
        refundRetryDue = try c.decodeIfPresent(Bool.self, forKey: .refundRetryDue) ?? false
        refundReason = try c.decodeIfPresent(String.self, forKey: .refundReason)
        commitRequested = try c.decodeIfPresent(Bool.self, forKey: .commitRequested) ?? false
        stockCommitted = try c.decodeIfPresent(Bool.self, forKey: .stockCommitted) ?? false
        stockCommitFailed = try c.decodeIfPresent(Bool.self, forKey: .stockCommitFailed) ?? false
        shipmentRequested = try c.decodeIfPresent(Bool.self, forKey: .shipmentRequested) ?? false
        shipmentAttempts = try c.decodeIfPresent(Int.self, forKey: .shipmentAttempts) ?? 0
        shipmentRetryDue = try c.decodeIfPresent(Bool.self, forKey: .shipmentRetryDue) ?? false
        shipmentCreated = try c.decodeIfPresent(Bool.self, forKey: .shipmentCreated) ?? false
        shipmentFailed = try c.decodeIfPresent(Bool.self, forKey: .shipmentFailed) ?? false
        dispatchedAt = try c.decodeIfPresent(Date.self, forKey: .dispatchedAt)
        deliveredAt = try c.decodeIfPresent(Date.self, forKey: .deliveredAt)
        returnedToSender = try c.decodeIfPresent(String.self, forKey: .returnedToSender)
        awaiting = try c.decodeIfPresent(Set<Ack>.self, forKey: .awaiting) ?? []
        shipmentCancelRequested = try c.decodeIfPresent(Bool.self, forKey: .shipmentCancelRequested) ?? false
        returnReason = try c.decodeIfPresent(String.self, forKey: .returnReason)
    }
}
