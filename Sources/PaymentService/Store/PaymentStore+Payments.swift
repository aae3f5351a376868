import Contracts
import Foundation
import GRDB
import ServiceKit

/// What `createPayment` did.
enum PaymentCreation: Sendable {
    case created(Payment)
    /// The same client key already created this payment for the order (a retry after a crash or a lost
    /// answer): carry on with it instead of charging anew.
    case resumed(Payment)
}

/// A new payment's fields, decided by the use case (the amount from the order, never the client).
struct NewPayment: Sendable {
    var id: String
    var order: PayableOrder
    var method: PaymentMethod
    var paymentToken: String
    var idempotencyKey: String
    var psp: String
}

extension PaymentStore {
    // MARK: Reads

    func payment(id: String) async throws -> Payment? {
        try await database.read { db in try Self.fetchPayment(db, id: id) }
    }

    /// The order's payments, oldest first.
    func payments(orderId: String) async throws -> [Payment] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM payment WHERE order_id = ? ORDER BY created_at, id", arguments: [orderId])
                .map(Self.decodePayment)
        }
    }

    /// Payments the reconciler must ask the provider about: `INITIATED` ones (no answer yet, or a capture
    /// that comes later) and open ones the saga asked to void. Longest unasked first, at most `limit`.
    func paymentsToReconcile(limit: Int) async throws -> [Payment] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM payment
                WHERE status = 'INITIATED' OR (status IN \(PaymentStatus.openStatusesSQL) AND void_reason IS NOT NULL)
                ORDER BY COALESCE(polled_at, created_at), id LIMIT ?
                """, arguments: [limit]).map(Self.decodePayment)
        }
    }

    /// Notes that the reconciler asked the provider about these payments now (not a change of the payment:
    /// no version, no event).
    func markPolled(_ paymentIds: [String], at now: Date) async throws {
        guard !paymentIds.isEmpty else { return }
        try await database.write { db in
            let placeholders = Array(repeating: "?", count: paymentIds.count).joined(separator: ", ")
            try db.execute(sql: "UPDATE payment SET polled_at = ? WHERE id IN (\(placeholders))",
                           arguments: StatementArguments([now]) + StatementArguments(paymentIds))
        }
    }

    // MARK: Writes

    /// Inserts the payment `INITIATED` with its `PaymentInitiated`, before the provider is called. Refuses
    /// when the order is paid or has an open payment; the partial unique index settles two racing requests.
    func createPayment(_ new: NewPayment, now: Date, metadata: EventMetadata) async throws -> PaymentCreation {
        try await database.write { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM payment WHERE order_id = ? AND idempotency_key = ?",
                                               arguments: [new.order.orderId, new.idempotencyKey]) {
                return .resumed(try Self.decodePayment(existing))
            }
            let others = try Row.fetchAll(db, sql: "SELECT * FROM payment WHERE order_id = ?", arguments: [new.order.orderId])
                .map(Self.decodePayment)
            if let paid = others.first(where: { $0.status.hasCaptured }) {
                throw PaymentError.orderAlreadyPaid(orderId: new.order.orderId, paymentId: paid.id)
            }
            if let open = others.first(where: { $0.status.isOpen }) {
                throw PaymentError.openPaymentExists(orderId: new.order.orderId, paymentId: open.id)
            }
            let payment = Payment(
                id: new.id, orderId: new.order.orderId, userId: new.order.userId, status: .initiated, method: new.method,
                amount: new.order.total, captured: nil, refunded: .zero(new.order.total.currency), pspReference: nil,
                paymentToken: new.paymentToken, idempotencyKey: new.idempotencyKey, failureCode: nil, retryable: nil,
                voidReason: nil, capturedAt: nil, createdAt: now, updatedAt: now, version: 1)
            do {
                try db.execute(
                    sql: """
                        INSERT INTO payment (id, order_id, user_id, status, method, amount_minor, currency, refunded_minor, psp,
                            payment_token, idempotency_key, created_at, updated_at, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 1)
                        """,
                    arguments: [payment.id, payment.orderId, payment.userId, payment.status.rawValue, payment.method.rawValue,
                                payment.amount.amountMinor, payment.amount.currency.code, new.psp, payment.paymentToken,
                                payment.idempotencyKey, now, now])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw PaymentError.openPaymentExists(orderId: new.order.orderId, paymentId: nil)
            }
            try Outbox.enqueue(
                PaymentInitiated(orderId: payment.orderId, paymentId: payment.id, amount: payment.amount,
                                 method: payment.method.rawValue, initiatedAt: now),
                metadata: metadata, occurredAt: now, in: db)
            return .created(payment)
        }
    }

    /// Records the provider's answer about a charge, once: only an open payment moves, so the same answer
    /// seen twice (a poll after the synchronous answer, a repeated confirm) changes nothing the second time.
    func applyCharge(_ result: ProviderChargeResult, paymentId: String, now: Date, metadata: EventMetadata) async throws -> Payment {
        try await database.write { db in
            guard let payment = try Self.fetchPayment(db, id: paymentId) else { throw PaymentError.paymentNotFound(paymentId: paymentId) }
            return try Self.applyCharge(result, to: payment, now: now, metadata: metadata, in: db)
        }
    }

    static func applyCharge(_ result: ProviderChargeResult, to payment: Payment, now: Date, metadata: EventMetadata,
                            in db: Database) throws -> Payment {
        guard payment.status.isOpen else { return payment }
        var after = payment
        let event: (any DomainEvent)?
        switch result {
        case .captured(let amount, let reference):
            guard amount.currency == payment.amount.currency else {
                throw PaymentError.providerFailure("captured \(amount) on a payment in \(payment.amount.currency)")
            }
            after.status = .captured
            after.captured = amount
            after.capturedAt = now
            after.pspReference = reference
            event = PaymentSucceeded(orderId: payment.orderId, paymentId: payment.id, amount: payment.amount, captured: amount,
                                     capturedAt: now, pspReference: reference)
        case .requiresAction(let reference):
            after.pspReference = reference
            guard payment.status == .initiated else { event = nil; break }
            after.status = .requiresAction
            let action = NextAction.threeDS(paymentId: payment.id)
            event = PaymentRequiresAction(orderId: payment.orderId, paymentId: payment.id, actionType: action.type,
                                          confirmPath: action.confirmPath, pspReference: reference)
        case .declined(let code, let retryable, let reference):
            after.status = .failed
            after.failureCode = code
            after.retryable = retryable
            after.pspReference = reference
            event = PaymentFailed(orderId: payment.orderId, paymentId: payment.id, failureCode: code, retryable: retryable,
                                  failedAt: now)
        case .pending(let reference):
            after.pspReference = reference
            event = nil
        }
        guard after != payment else { return payment }
        return try update(from: payment, to: after, event: event, now: now, metadata: metadata, in: db)
    }

    /// Records the provider's answer to a void: `VOIDED` with `PaymentVoided`, or the capture that came first.
    func applyVoid(_ result: ProviderVoidResult, paymentId: String, now: Date, metadata: EventMetadata) async throws -> Payment {
        try await database.write { db in
            guard let payment = try Self.fetchPayment(db, id: paymentId) else { throw PaymentError.paymentNotFound(paymentId: paymentId) }
            guard payment.status.isOpen else { return payment }
            switch result {
            case .alreadyCaptured(let amount, let reference):
                return try Self.applyCharge(.captured(amount: amount, reference: reference), to: payment, now: now,
                                            metadata: metadata, in: db)
            case .voided:
                var after = payment
                after.status = .voided
                let reason = payment.voidReason ?? "VOID_REQUESTED"
                return try Self.update(from: payment, to: after,
                                       event: PaymentVoided(orderId: payment.orderId, paymentId: payment.id, reason: reason, voidedAt: now),
                                       now: now, metadata: metadata, in: db)
            }
        }
    }

    /// `VoidPayment`: remembers the request on an open payment of that order, for the reconciler to carry
    /// out. A terminal, unknown or other order's payment is left alone (false).
    @discardableResult
    static func requestVoid(paymentId: String, orderId: String, reason: String, now: Date, in db: Database) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE payment SET void_reason = ?, updated_at = ?, version = version + 1
                WHERE id = ? AND order_id = ? AND status IN \(PaymentStatus.openStatusesSQL) AND void_reason IS NULL
                """,
            arguments: [reason, now, paymentId, orderId])
        return db.changesCount == 1
    }

    /// Writes `after` over `before` if nobody changed the row since it was read (its version), with `event`.
    static func update(from before: Payment, to after: Payment, event: (any DomainEvent)?, now: Date, metadata: EventMetadata,
                       in db: Database) throws -> Payment {
        var after = after
        after.version = before.version + 1
        after.updatedAt = now
        try db.execute(
            sql: """
                UPDATE payment SET status = ?, captured_minor = ?, refunded_minor = ?, psp_reference = ?, failure_code = ?,
                    retryable = ?, captured_at = ?, updated_at = ?, version = ?
                WHERE id = ? AND version = ?
                """,
            arguments: [after.status.rawValue, after.captured?.amountMinor, after.refunded.amountMinor, after.pspReference,
                        after.failureCode, after.retryable, after.capturedAt, after.updatedAt, after.version,
                        before.id, before.version])
        guard db.changesCount == 1 else {
            // Unreachable inside one SQLite write transaction; kept as the guard the rule names.
            throw PaymentError.corruptRow("payment \(before.id) changed under a write (version \(before.version))")
        }
        if let event { try enqueue(event, metadata: metadata, now: now, in: db) }
        return after
    }

    private static func enqueue(_ event: any DomainEvent, metadata: EventMetadata, now: Date, in db: Database) throws {
        try Outbox.enqueue(event, metadata: metadata, occurredAt: now, in: db)
    }

    // MARK: Row mapping

    static func fetchPayment(_ db: Database, id: String) throws -> Payment? {
        try Row.fetchOne(db, sql: "SELECT * FROM payment WHERE id = ?", arguments: [id]).map(decodePayment)
    }

    static func decodePayment(_ row: Row) throws -> Payment {
        let statusName: String = row["status"]
        let methodName: String = row["method"]
        guard let status = PaymentStatus(rawValue: statusName), let method = PaymentMethod(rawValue: methodName) else {
            throw PaymentError.corruptRow("payment \(row["id"] as String? ?? "?") has status \(statusName), method \(methodName)")
        }
        let amount = try row.money("amount_minor")
        let captured: Int64? = row["captured_minor"]
        return Payment(
            id: row["id"], orderId: row["order_id"], userId: row["user_id"], status: status, method: method, amount: amount,
            captured: captured.map { Money(amountMinor: $0, currency: amount.currency) },
            refunded: Money(amountMinor: row["refunded_minor"], currency: amount.currency),
            pspReference: row["psp_reference"], paymentToken: row["payment_token"], idempotencyKey: row["idempotency_key"],
            failureCode: row["failure_code"], retryable: row["retryable"], voidReason: row["void_reason"],
            capturedAt: row["captured_at"], createdAt: row["created_at"], updatedAt: row["updated_at"], version: row["version"])
    }
}
