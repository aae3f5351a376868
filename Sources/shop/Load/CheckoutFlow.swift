/// An order that was not PAID (nor ended unpaid) when the shopper stopped watching it.
struct OrderUnsettled: Error, CustomStringConvertible {
    var status: String
    var description: String { "order still \(status) at the wait bound" }
}

/// A checkout after `POST /orders`, shared by the `checkout` and `flash-sale` scenarios: wait until the
/// order may be paid, pay with `tok_success`, wait until it is PAID or later (or it ended unpaid, e.g.
/// CANCELLED / OUT_OF_STOCK), then record its spans and where it ended. Every placed order is recorded as
/// settled exactly once, whatever happens in between.
struct CheckoutFlow: Sendable {
    let recorder: LoadRecorder
    let watch: OrderWatch

    func complete(_ shopper: Shopper, order id: String, placedAt: ContinuousClock.Instant, units: Int) async throws {
        var lastSeen: String?
        do {
            let (payable, reachedPayable) = try await shopper.watch(id, watch) {
                $0 == OrderStatuses.awaitingPayment || OrderStatuses.paidOrLater.contains($0)
            }
            lastSeen = payable.status
            guard reachedPayable else {
                let ended = OrderStatuses.endedUnpaid.contains(payable.status)
                settle(payable.status, note: ended ? nil : "unsettled", cancelReason: payable.cancelReason, units: units)
                if ended { return }
                throw OrderUnsettled(status: payable.status)
            }
            if payable.status == OrderStatuses.awaitingPayment { try await shopper.pay(order: id) }
            let (paid, reachedPaid) = try await shopper.watch(id, watch) { OrderStatuses.paidOrLater.contains($0) }
            lastSeen = paid.status
            if reachedPaid {
                recorder.span(.placedToPaidSeen, ContinuousClock.now - placedAt)
                recordServerSpans(paid)
            }
            let unsettled = !reachedPaid && !OrderStatuses.endedUnpaid.contains(paid.status)
            settle(paid.status, note: unsettled ? "unsettled" : nil, cancelReason: paid.cancelReason, units: units)
            if unsettled { throw OrderUnsettled(status: paid.status) }
        } catch let error as OrderUnsettled {
            throw error
        } catch is CancellationError {
            settle(lastSeen ?? "UNKNOWN", note: "interrupted", cancelReason: nil, units: units)
            throw CancellationError()
        } catch {
            settle(lastSeen ?? "UNKNOWN", note: "unsettled", cancelReason: nil, units: units)
            throw error
        }
    }

    /// `note` marks an order the shopper stopped watching before it settled: `"AWAITING_PAYMENT (unsettled)"`
    /// is counted apart from the orders that really are in that status for good.
    private func settle(_ status: String, note: String? = nil, cancelReason: String?, units: Int) {
        recorder.orderSettled(status: note.map { "\(status) (\($0))" } ?? status, cancelReason: cancelReason, units: units)
    }

    private func recordServerSpans(_ order: OrderView) {
        if let millis = order.millisecondsFromPlacement(to: OrderStatuses.awaitingPayment) {
            recorder.span(.placedToAwaitingPayment, .milliseconds(millis))
        }
        if let paid = order.millisecondsFromPlacement(to: "PAID") {
            recorder.span(.placedToPaid, .milliseconds(paid))
            if let processing = order.millisecondsFromPlacement(to: "PAYMENT_PROCESSING") {
                recorder.span(.paymentToPaid, .milliseconds(paid - processing))
            }
        }
    }
}
