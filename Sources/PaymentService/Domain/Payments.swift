import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// The payment service's use cases over the store, the provider and the order directory. HTTP handlers
/// and the reconciler call these; none of it knows about HTTP.
///
/// A charge is three steps, so that nothing is lost whatever fails in between:
/// 1. the payment row and `PaymentInitiated` commit (`INITIATED`);
/// 2. the provider is called with our idempotency key, bounded by `PSP_CALL_TIMEOUT_MS`;
/// 3. its answer and the matching event commit (with the caller's own completion, e.g. the stored
///    idempotent answer). No answer in time leaves the payment `INITIATED` for the reconciler.
public struct Payments: Sendable {
    let store: PaymentStore
    let provider: any PaymentProvider
    let deadline: ProviderDeadline
    let orders: OrderDirectory
    let clock: ServiceClock
    let logger: Logger
    /// `SHOP_CURRENCY`: an order in any other currency is not charged.
    let currency: Currency

    /// `POST /payments/initiate`'s input, validated.
    struct Initiation: Sendable {
        var orderId: String
        var method: PaymentMethod
        var paymentToken: String
        var idempotencyKey: String
    }

    // MARK: Charging

    /// Creates (or, for the same key, resumes) the order's payment and charges it; `finish` runs in the
    /// transaction that records the provider's answer and returns what the caller answers.
    /// - Throws: `orderNotFound` (unknown or another user's), `orderNotAwaitingPayment`, `openPaymentExists`,
    ///   `orderAlreadyPaid`.
    func initiate<Answer: Sendable>(_ initiation: Initiation, caller: Principal, metadata: EventMetadata,
                                    finish: @escaping @Sendable (Payment, Database) throws -> Answer) async throws -> Answer {
        let payment = try await paymentToCharge(initiation, caller: caller, metadata: metadata)
        var answer: ProviderChargeResult?
        if payment.status == .initiated {
            answer = await call("charge", payment) { try await $0.charge(ProviderCharge(payment)) }
        }
        let result = answer
        let now = clock.now()
        let metadata = Self.metadata(orderId: payment.orderId, causation: metadata.causationId, traceparent: metadata.traceparent)
        return try await store.database.write { db in
            let current = try PaymentStore.fetchPayment(db, id: payment.id) ?? payment
            let after = try result.map { try PaymentStore.applyCharge($0, to: current, now: now, metadata: metadata, in: db) } ?? current
            return try finish(after, db)
        }
    }

    private func paymentToCharge(_ initiation: Initiation, caller: Principal, metadata: EventMetadata) async throws -> Payment {
        // A retry of a request that created its payment carries on with it, whatever the order did since.
        if let existing = try await store.payments(orderId: initiation.orderId).first(where: { $0.idempotencyKey == initiation.idempotencyKey }) {
            guard existing.userId == caller.subject else { throw PaymentError.orderNotFound(orderId: initiation.orderId) }
            return existing
        }
        guard let order = try await orders.order(id: initiation.orderId), order.userId == caller.subject else {
            throw PaymentError.orderNotFound(orderId: initiation.orderId)
        }
        guard order.isAwaitingPayment else {
            throw PaymentError.orderNotAwaitingPayment(orderId: order.orderId, status: order.status)
        }
        guard order.total.currency == currency else {
            throw PaymentError.unpayableOrder(orderId: order.orderId, reason: "its total is in \(order.total.currency), not \(currency)")
        }
        guard order.total.amountMinor > 0 else {
            throw PaymentError.unpayableOrder(orderId: order.orderId, reason: "its total is \(order.total)")
        }
        let new = NewPayment(id: EventID.make(at: clock.now()), order: order, method: initiation.method,
                             paymentToken: initiation.paymentToken, idempotencyKey: initiation.idempotencyKey, psp: provider.name)
        let eventMetadata = Self.metadata(orderId: order.orderId, causation: metadata.causationId, traceparent: metadata.traceparent)
        switch try await store.createPayment(new, now: clock.now(), metadata: eventMetadata) {
        case .created(let payment), .resumed(let payment): return payment
        }
    }

    /// The customer's 3-D Secure answer. An answer the provider does not give in time leaves the payment
    /// waiting (the client may send it again).
    func confirm(paymentId: String, result: ChallengeResult, caller: Principal, metadata: EventMetadata) async throws -> Payment {
        let payment = try await ownedPayment(id: paymentId, caller: caller)
        guard payment.status == .requiresAction else { throw PaymentError.notAwaitingAction(paymentId: payment.id, status: payment.status) }
        guard let answer = await call("confirm", payment, { try await $0.confirm(ProviderCharge(payment), result: result) }) else {
            return payment
        }
        return try await store.applyCharge(answer, paymentId: payment.id, now: clock.now(),
                                           metadata: Self.metadata(orderId: payment.orderId, causation: metadata.causationId,
                                                                   traceparent: metadata.traceparent))
    }

    // MARK: Refunds

    /// An admin refund: recorded `PENDING` (counted against what is refundable at once), sent to the
    /// provider, and its answer recorded with `finish` in one transaction. A provider that does not answer
    /// in time leaves it `PENDING` for the reconciler.
    func refund<Answer: Sendable>(paymentId: String, amountMinor: Int64, reason: String?, metadata: EventMetadata,
                                  finish: @escaping @Sendable (Refund, Payment, Database) throws -> Answer) async throws -> Answer {
        guard let payment = try await store.payment(id: paymentId) else { throw PaymentError.paymentNotFound(paymentId: paymentId) }
        let new = NewRefund(id: EventID.make(at: clock.now()), paymentId: payment.id,
                            amount: Money(amountMinor: amountMinor, currency: payment.amount.currency), reason: reason,
                            source: .admin, requestKey: nil)
        let refund: Refund
        switch try await store.createRefund(new, now: clock.now()) {
        case .created(let created, _), .existing(let created, _): refund = created
        }
        let metadata = Self.metadata(orderId: payment.orderId, causation: metadata.causationId, traceparent: metadata.traceparent)
        return try await finishRefund(refund, metadata: metadata, finish: finish)
    }

    /// Sends a `PENDING` refund to the provider and records the answer (or leaves it pending).
    func finishRefund<Answer: Sendable>(_ refund: Refund, metadata: EventMetadata,
                                        finish: @escaping @Sendable (Refund, Payment, Database) throws -> Answer) async throws -> Answer {
        guard let payment = try await store.payment(id: refund.paymentId) else {
            throw PaymentError.corruptRow("refund \(refund.id) has no payment \(refund.paymentId)")
        }
        let result = await call("refund", payment) { try await $0.refund(ProviderRefund(refund: refund, payment: payment)) }
        let now = clock.now()
        return try await store.database.write { db in
            if let result {
                let (after, updated) = try PaymentStore.completeRefund(id: refund.id, result: result, now: now, metadata: metadata, in: db)
                return try finish(after, updated, db)
            }
            return try finish(try PaymentStore.fetchRefund(db, id: refund.id) ?? refund, try PaymentStore.fetchPayment(db, id: payment.id) ?? payment, db)
        }
    }

    // MARK: Reads

    /// The payment if the caller owns it (or is an admin); otherwise `paymentNotFound`.
    func ownedPayment(id: String, caller: Principal) async throws -> Payment {
        guard let payment = try await store.payment(id: id), payment.userId == caller.subject || caller.isAdmin else {
            throw PaymentError.paymentNotFound(paymentId: id)
        }
        return payment
    }

    /// The order's payments, oldest first, if the caller owns the order (or is an admin).
    func payments(orderId: String, caller: Principal) async throws -> [Payment] {
        let payments = try await store.payments(orderId: orderId)
        let owner: String?
        if let first = payments.first {
            owner = first.userId
        } else {
            owner = try await orders.order(id: orderId)?.userId
        }
        guard let owner, owner == caller.subject || caller.isAdmin else { throw PaymentError.orderNotFound(orderId: orderId) }
        return payments
    }

    // MARK: Reconciliation

    /// One pass of the reconciler: carries out requested voids, asks the provider about payments still
    /// `INITIATED` (older than one call deadline, so a request's own call is not doubled), and sends
    /// pending refunds. Returns how many rows it looked at.
    @discardableResult
    func reconcile(limit: Int = 100) async throws -> Int {
        let now = clock.now()
        let settle = Double(deadline.timeout.components.seconds) + Double(deadline.timeout.components.attoseconds) / 1e18
        let payments = try await store.paymentsToReconcile(limit: limit).filter {
            $0.voidReason != nil || $0.createdAt <= now.addingTimeInterval(-settle)
        }
        try await store.markPolled(payments.map(\.id), at: now)
        let refunds = try await store.pendingRefunds(limit: limit).filter {
            $0.source == .saga || $0.createdAt <= now.addingTimeInterval(-settle)
        }
        await withTaskGroup(of: Void.self) { group in
            for payment in payments {
                group.addTask { await self.reconcile(payment) }
            }
            for refund in refunds {
                group.addTask {
                    let metadata = Self.metadata(orderId: refund.orderId, causation: refund.requestKey, traceparent: nil)
                    do {
                        _ = try await self.finishRefund(refund, metadata: metadata) { refund, _, _ in refund }
                    } catch {
                        self.logger.warning("finishing a pending refund failed", metadata: ["refund_id": "\(refund.id)", "error": "\(error)"])
                    }
                }
            }
        }
        return payments.count + refunds.count
    }

    private func reconcile(_ payment: Payment) async {
        let metadata = Self.metadata(orderId: payment.orderId, causation: nil, traceparent: nil)
        do {
            if payment.voidReason != nil {
                guard let result = await call("void", payment, { try await $0.void(ProviderCharge(payment)) }) else { return }
                _ = try await store.applyVoid(result, paymentId: payment.id, now: clock.now(), metadata: metadata)
            } else {
                guard let result = await call("status poll", payment, { try await $0.retrieve(ProviderCharge(payment)) }) else { return }
                _ = try await store.applyCharge(result, paymentId: payment.id, now: clock.now(), metadata: metadata)
            }
        } catch {
            logger.warning("reconciling a payment failed", metadata: ["payment_id": "\(payment.id)", "error": "\(error)"])
        }
    }

    // MARK: Helpers

    /// One provider call within the deadline; nil when it timed out or failed (logged), which leaves the
    /// payment or refund as it is.
    private func call<T: Sendable>(_ operation: String, _ payment: Payment,
                                   _ body: @escaping @Sendable (any PaymentProvider) async throws -> T) async -> T? {
        let provider = provider
        do {
            return try await deadline.run(operation) { try await body(provider) }
        } catch is CancellationError {
            // Shutdown: the row stays as it is and the next start carries on.
        } catch let error as PaymentError {
            if case .providerTimeout = error {
                logger.info("payment provider did not answer in time; the payment stays open",
                            metadata: ["operation": "\(operation)", "payment_id": "\(payment.id)"])
            } else {
                logger.error("payment provider call failed", metadata: ["operation": "\(operation)", "payment_id": "\(payment.id)", "error": "\(error)"])
            }
        } catch {
            logger.error("payment provider call failed", metadata: ["operation": "\(operation)", "payment_id": "\(payment.id)", "error": "\(error)"])
        }
        return nil
    }

    /// Everything of a checkout is correlated by its order id (DOMAIN.md §4.1).
    static func metadata(orderId: String, causation: String?, traceparent: String?) -> EventMetadata {
        EventMetadata(correlationId: orderId, causationId: causation, traceparent: traceparent)
    }
}
