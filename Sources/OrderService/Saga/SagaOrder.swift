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
/// older version decode (new fields are added as optionals or with defaults, never renamed).
public struct SagaFacts: Codable, Sendable, Equatable {
    public init() {}
}
