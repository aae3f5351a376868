import Contracts
import Foundation

/// `CANCELLATION_PENDING`, the semantic lock (C2–C6, C8–C10). The compensations run in an order that never
/// undoes more than it must:
/// * before the pivot, `ReleaseStock` (and `VoidPayment` when a payment is in flight) go out at once;
/// * after the pivot, `CancelShipment` goes first and alone: shipping may reject it because the parcel has
///   left, and then neither the stock nor the money must come back. Only after `ShipmentCancelled` does
///   `ReturnStock` go out.
/// When every acknowledgement is in, the order ends `CANCELLED`, or `REFUND_PENDING` (sending the refund)
/// when money was captured.
extension CheckoutSaga {
    static func startCancellation(_ reason: CancelReason, _ draft: inout SagaDraft) -> SagaDecision {
        let order = draft.order
        // C5/C6: a payment is in flight (not answered yet); void it. A failed one needs no void.
        let voiding = order.status == .paymentProcessing && (reason == .paymentTimeout || reason == .reservationTimeout)
        draft.order.cancelReason = reason
        draft.enter(.cancellationPending)
        draft.emit(.cancellationRequested(OrderCancellationRequested(
            orderId: order.id, requestedBy: reason == .customerRequest ? order.userId : "system", reason: reason.rawValue,
            requestedAt: draft.now)))
        if voiding, let paymentId = order.paymentId {
            draft.facts.awaiting.insert(.paymentVoided)
            draft.send(.voidPayment(VoidPayment(orderId: order.id, paymentId: paymentId, reason: reason.rawValue)))
        }
        if !draft.facts.commitRequested, !draft.facts.stockUndone {
            // ReleaseStock is answered even when nothing was reserved (a reserve still in flight is
            // processed first: same key, same partition).
            draft.facts.awaiting.insert(.stockReleased)
            draft.send(.releaseStock(ReleaseStock(orderId: order.id, reason: reason.rawValue)))
        }
        return continueCancellation(&draft)
    }

    /// A participant acknowledged a compensation this cancellation waits for.
    static func acknowledged(_ ack: SagaFacts.Ack, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .cancellationPending, draft.facts.awaiting.contains(ack) else {
            return draft.ignore("\(ack.rawValue) not awaited")
        }
        draft.facts.awaiting.remove(ack)
        if ack == .stockReleased || ack == .stockReturned { draft.facts.stockUndone = true }
        return continueCancellation(&draft)
    }

    /// C10's race lost: the carrier already has the parcel. The cancellation is withdrawn (nothing else was
    /// undone yet) and the order goes on as shipped; the customer returns it after delivery (C12).
    static func shipmentCancellationRejected(_ event: ShipmentCancellationRejected, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .cancellationPending, draft.facts.awaiting.contains(.shipmentCancelled) else {
            return draft.ignore("ShipmentCancellationRejected not awaited")
        }
        draft.facts.awaiting.remove(.shipmentCancelled)
        draft.order.cancelReason = nil
        draft.facts.shipmentCreated = true
        draft.order.shipmentId = draft.order.shipmentId ?? event.shipmentId
        // The rejection itself says the parcel has left, even if ShipmentDispatched is still on its way.
        draft.facts.dispatchedAt = draft.facts.dispatchedAt ?? event.at
        if draft.facts.stockCommitFailed {
            draft.raise("order \(draft.order.id) shipped although its stock commit failed: check inventory")
        }
        enterShipped(reason: "cancellation rejected: shipment \(event.status.rawValue)", &draft)
        advanceFulfilment(&draft)
        return draft.finish("cancellation rejected by shipping")
    }

    static func continueCancellation(_ draft: inout SagaDraft) -> SagaDecision {
        if draft.facts.awaiting.isEmpty, draft.facts.commitRequested { sendNextPostPivotCompensation(&draft) }
        if draft.facts.awaiting.isEmpty { concludeCancellation(&draft) }
        let waiting = draft.facts.awaiting.map(\.rawValue).sorted().joined(separator: ", ")
        return draft.finish(waiting.isEmpty ? "cancellation concluded" : "cancellation waits for \(waiting)")
    }

    /// After the pivot: first the shipment, then the stock.
    private static func sendNextPostPivotCompensation(_ draft: inout SagaDraft) {
        let order = draft.order
        let reason = releaseReason(order)
        if draft.facts.shipmentRequested, !draft.facts.shipmentFailed, !draft.facts.shipmentCancelRequested {
            draft.facts.shipmentCancelRequested = true
            draft.facts.awaiting.insert(.shipmentCancelled)
            draft.send(.cancelShipment(CancelShipment(orderId: order.id, reason: reason)))
        } else if !draft.facts.stockUndone, !draft.facts.stockCommitFailed {
            // ReturnStock, not ReleaseStock: inventory answers it whether the commit happened or not (a
            // commit still in flight is processed first), and ignores a release of committed stock.
            draft.facts.awaiting.insert(.stockReturned)
            draft.send(.returnStock(ReturnStock(orderId: order.id, lines: order.productQuantities, reason: reason)))
        }
    }

    private static func concludeCancellation(_ draft: inout SagaDraft) {
        emitCancelled(&draft)
        if let captured = draft.facts.captured, draft.facts.refundedMinor < captured.amountMinor {
            enterRefundPending(reason: releaseReason(draft.order), &draft)
        } else {
            draft.enter(.cancelled)
        }
    }

    /// `OrderCancelled` once the cancellation is decided: payment's projection closes the order for new
    /// attempts, and `refundRequired` says money is going back.
    static func emitCancelled(_ draft: inout SagaDraft) {
        draft.emit(.cancelled(OrderCancelled(orderId: draft.order.id, reason: releaseReason(draft.order),
                                             refundRequired: draft.facts.captured != nil)))
    }
}
