import Contracts
import Foundation

/// After the pivot: `PAID → FULFILLING → SHIPPED → DELIVERED → COMPLETED` (happy path steps 6–7, C8, C9, C11).
/// Inventory's and shipping's facts arrive in any relative order (API.md §4.3): each is recorded, and
/// `advanceFulfilment` moves the order as far as the recorded facts allow, so one message may pass through
/// several statuses. A fact seen during a cancellation is recorded too (the cancellation may be rejected).
extension CheckoutSaga {
    /// Statuses in which a post-pivot fact is recorded rather than ignored.
    private static let recordsFulfilmentFacts: Set<OrderStatus> = [.paid, .fulfilling, .shipped, .cancellationPending]

    static func stockCommitted(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .paid || draft.status == .cancellationPending, draft.facts.commitRequested else {
            return draft.ignore("StockCommitted")
        }
        draft.facts.stockCommitted = true
        advanceFulfilment(&draft)
        return draft.finish("stock committed")
    }

    /// C8: the reservation was lost before the commit. We compensate at once rather than re-reserving: a
    /// re-reservation would race other customers for stock the order no longer holds, and the customer has
    /// paid, so a prompt refund is the better failure. An operator is paged: this should be rare.
    static func stockCommitFailed(_ event: StockCommitFailed, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.facts.commitRequested, !draft.facts.stockCommitted else { return draft.ignore("StockCommitFailed") }
        switch draft.status {
        case .paid:
            draft.facts.stockCommitFailed = true
            draft.raise("stock commit failed after payment (\(event.reason)): order cancelled and refunded")
            return startCancellation(.outOfStock, &draft)
        case .cancellationPending:
            draft.facts.stockCommitFailed = true
            return draft.finish("stock commit failed during cancellation")
        default:
            return draft.ignore("StockCommitFailed")
        }
    }

    static func shipmentCreated(_ event: ShipmentCreated, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .paid || draft.status == .cancellationPending, draft.facts.shipmentRequested,
              !draft.facts.shipmentCreated else {
            return draft.ignore("ShipmentCreated")
        }
        draft.facts.shipmentCreated = true
        draft.facts.shipmentRetryDue = false
        draft.order.shipmentId = event.shipmentId
        advanceFulfilment(&draft)
        return draft.finish("shipment \(event.shipmentId) created")
    }

    /// C9: a retryable failure is retried after `shipmentRetryDelay`, `maxShipmentAttempts` in all; a final
    /// one, or the last retry failing, cancels the paid order (stock back, money back).
    static func shipmentCreationFailed(_ event: ShipmentCreationFailed, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.facts.shipmentRequested, !draft.facts.shipmentCreated, !draft.facts.shipmentFailed else {
            return draft.ignore("ShipmentCreationFailed")
        }
        switch draft.status {
        case .paid:
            if event.retryable, draft.facts.shipmentAttempts < draft.settings.maxShipmentAttempts {
                if draft.facts.shipmentRetryDue { return draft.ignore("duplicate ShipmentCreationFailed") }
                draft.facts.shipmentRetryDue = true
                draft.arm(.shipmentRetry, after: draft.settings.shipmentRetryDelay)
                return draft.finish("shipment creation failed (\(event.reason)), retry \(draft.facts.shipmentAttempts + 1) due")
            }
            draft.facts.shipmentFailed = true
            draft.facts.shipmentRetryDue = false
            if event.retryable { draft.raise("shipment creation failed \(draft.facts.shipmentAttempts) times: order cancelled") }
            return startCancellation(.shippingFailed, &draft)
        case .cancellationPending:
            draft.facts.shipmentFailed = true
            return draft.finish("shipment creation failed during cancellation")
        default:
            return draft.ignore("ShipmentCreationFailed")
        }
    }

    static func shipmentRetryDue(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .paid, draft.facts.shipmentRetryDue else { return draft.ignore("shipment-retry deadline") }
        draft.facts.shipmentRetryDue = false
        draft.facts.shipmentAttempts += 1
        draft.send(createShipment(draft.order))
        return draft.finish("CreateShipment resent (attempt \(draft.facts.shipmentAttempts))")
    }

    static func shipmentLabelCreated(_ event: ShipmentLabelCreated, _ draft: inout SagaDraft) -> SagaDecision {
        guard recordsFulfilmentFacts.contains(draft.status), draft.facts.shipmentRequested else {
            return draft.ignore("ShipmentLabelCreated")
        }
        draft.order.shipmentId = draft.order.shipmentId ?? event.shipmentId
        draft.order.carrier = event.carrier
        draft.order.trackingNumber = event.trackingNumber
        return draft.finish("label \(event.trackingNumber)")
    }

    static func shipmentDispatched(_ event: ShipmentDispatched, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .paid || draft.status == .fulfilling || draft.status == .cancellationPending,
              draft.facts.shipmentRequested, draft.facts.dispatchedAt == nil else {
            return draft.ignore("ShipmentDispatched")
        }
        draft.facts.dispatchedAt = event.shippedAt
        draft.order.shipmentId = draft.order.shipmentId ?? event.shipmentId
        draft.order.carrier = event.carrier
        draft.order.trackingNumber = event.trackingNumber
        advanceFulfilment(&draft)
        return draft.finish("dispatched")
    }

    static func shipmentDelivered(_ event: ShipmentDelivered, _ draft: inout SagaDraft) -> SagaDecision {
        guard recordsFulfilmentFacts.contains(draft.status), draft.facts.shipmentRequested, draft.facts.deliveredAt == nil else {
            return draft.ignore("ShipmentDelivered")
        }
        draft.facts.deliveredAt = event.deliveredAt
        advanceFulfilment(&draft)
        return draft.finish("delivered")
    }

    /// C11: a final delivery failure or a return to sender.
    static func shipmentCameBack(reason: String, _ draft: inout SagaDraft) -> SagaDecision {
        guard recordsFulfilmentFacts.contains(draft.status), draft.facts.shipmentRequested,
              draft.facts.returnedToSender == nil, draft.facts.deliveredAt == nil else {
            return draft.ignore(reason)
        }
        draft.facts.returnedToSender = reason
        advanceFulfilment(&draft)
        return draft.finish(reason)
    }

    static func returnWindowElapsed(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .delivered else { return draft.ignore("return-window deadline") }
        draft.enter(.completed)
        draft.emit(.completed(OrderCompleted(orderId: draft.order.id, closedAt: draft.now)))
        return draft.finish("return window elapsed")
    }

    /// Moves the order as far as its recorded facts allow.
    static func advanceFulfilment(_ draft: inout SagaDraft) {
        let facts = draft.facts
        if draft.status == .paid, facts.stockCommitted, facts.shipmentCreated {
            draft.enter(.fulfilling)
        }
        if draft.status == .fulfilling, facts.dispatchedAt != nil {
            enterShipped(&draft)
        }
        if draft.status == .shipped, let deliveredAt = facts.deliveredAt {
            draft.enter(.delivered)
            draft.emit(.delivered(OrderDelivered(orderId: draft.order.id, userId: draft.order.userId,
                                                 productIds: draft.order.lines.map(\.productId), deliveredAt: deliveredAt)))
            draft.deadline = .set(SagaDeadline(.returnWindow, dueAt: deliveredAt.addingTimeInterval(draft.settings.returnWindow)))
        } else if draft.status == .shipped, let reason = facts.returnedToSender {
            enterReturned(reason: reason, &draft)
        }
    }

    static func enterShipped(reason: String? = nil, _ draft: inout SagaDraft) {
        let order = draft.order
        draft.enter(.shipped, reason: reason)
        draft.emit(.shipped(OrderShipped(orderId: order.id, shipmentId: order.shipmentId ?? "", carrier: order.carrier ?? "",
                                         trackingNumber: order.trackingNumber ?? "",
                                         shippedAt: draft.facts.dispatchedAt ?? draft.now)))
    }

    /// The goods are back (C11) or received from the customer (C12): stock and the full remaining amount go
    /// back together, and the order waits for the money only (`REFUND_PENDING` in the same step).
    static func enterReturned(reason: String, _ draft: inout SagaDraft) {
        let order = draft.order
        draft.enter(.returned, reason: reason)
        draft.emit(.returned(OrderReturned(orderId: order.id, lines: order.productQuantities, reason: reason, returnedAt: draft.now)))
        draft.send(.returnStock(ReturnStock(orderId: order.id, lines: order.productQuantities, reason: reason)))
        enterRefundPending(reason: reason, &draft)
    }
}
