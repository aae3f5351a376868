import Contracts
import Foundation

/// A command to a participant, sent through the order's outbox (API.md §8).
public enum SagaCommand: Sendable, Equatable {
    case reserveStock(ReserveStock)
    case extendReservation(ExtendReservation)
    case releaseStock(ReleaseStock)
    case commitStock(CommitStock)
    case returnStock(ReturnStock)
    case voidPayment(VoidPayment)
    case refundPayment(RefundPayment)
    case createShipment(CreateShipment)
    case cancelShipment(CancelShipment)
}

/// An event on the order's own stream, `order.order.v1`.
public enum OrderEvent: Sendable, Equatable {
    case placed(OrderPlaced)
    case awaitingPayment(OrderAwaitingPayment)
    case paid(OrderPaid)
    case cancellationRequested(OrderCancellationRequested)
    case cancelled(OrderCancelled)
    case shipped(OrderShipped)
    case delivered(OrderDelivered)
    case completed(OrderCompleted)
    case returnRequested(OrderReturnRequested)
    case returned(OrderReturned)
    case refunded(OrderRefunded)
}

/// The order's one pending timer (table `saga_deadline`): when it is due, the saga gets `.deadline(kind)`.
public struct SagaDeadline: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// C2: no reply to `ReserveStock` yet (resend, then cancel).
        case reservationReply = "RESERVATION_REPLY"
        /// C6: no final answer from payment since `PaymentInitiated`.
        case paymentReply = "PAYMENT_REPLY"
        /// `DELIVERED → COMPLETED` once the return window has elapsed.
        case returnWindow = "RETURN_WINDOW"
        /// C13: try a failed refund again.
        case refundRetry = "REFUND_RETRY"
        /// C9: try a shipment whose creation failed (retryably) again.
        case shipmentRetry = "SHIPMENT_RETRY"
    }

    public var kind: Kind
    public var dueAt: Date

    public init(_ kind: Kind, dueAt: Date) {
        self.kind = kind
        self.dueAt = dueAt
    }
}

/// What the saga decided for one message: the store applies all of it in one transaction (the order row
/// with its version check, the outbox rows, the deadline, the inbox row of the message).
public struct SagaDecision: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The status changed.
        case transition(from: OrderStatus, to: OrderStatus)
        /// The status stayed, but something was recorded or sent (a fact kept for later, a resend).
        case recorded(String)
        /// Nothing changes: the pair is not in the diagram (logged, never blocks the partition).
        case ignored(String)
        /// A customer or operator request that the current state refuses (HTTP 409 with this message).
        case refused(String)
    }

    public enum DeadlineChange: Sendable, Equatable {
        case keep
        case clear
        case set(SagaDeadline)
    }

    /// One step of the order's visible history (`statusHistory` in the API).
    public struct Step: Sendable, Equatable {
        public var status: OrderStatus
        /// Why, when there is a reason to show (a cancel reason, a failure code).
        public var reason: String?

        public init(_ status: OrderStatus, reason: String? = nil) {
            self.status = status
            self.reason = reason
        }
    }

    public var order: SagaOrder
    /// Every status the order entered for this message, in order (empty when the status stayed). One
    /// message may pass through several (`CANCELLATION_PENDING` then `CANCELLED`; `PAID` then `FULFILLING`
    /// when both facts were already recorded); the last is `order.status`.
    public var entered: [Step]
    public var commands: [SagaCommand]
    public var events: [OrderEvent]
    public var deadline: DeadlineChange
    public var outcome: Outcome
    /// Set when an operator must look (C8, C13, C14, C15): logged at error level.
    public var alert: String?

    public init(order: SagaOrder, entered: [Step] = [], commands: [SagaCommand] = [], events: [OrderEvent] = [],
                deadline: DeadlineChange = .keep, outcome: Outcome, alert: String? = nil) {
        self.order = order
        self.entered = entered
        self.commands = commands
        self.events = events
        self.deadline = deadline
        self.outcome = outcome
        self.alert = alert
    }

    /// Whether the store has anything to write (an ignored or refused message writes only its inbox row).
    public var changesSomething: Bool {
        switch outcome {
        case .transition, .recorded: true
        case .ignored, .refused: false
        }
    }
}
