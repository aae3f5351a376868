import Contracts
import Foundation
import GRDB
import ServiceKit

/// A refund to create: the amount is checked against the payment inside the transaction.
struct NewRefund: Sendable {
    var id: String
    var paymentId: String
    var amount: Money
    var reason: String?
    var source: RefundSource
    var requestKey: String?
}

/// What `createRefund` did.
enum RefundCreation: Sendable {
    case created(Refund, Payment)
    /// The saga's request key was seen before: that refund, no new one.
    case existing(Refund, Payment)
}

extension PaymentStore {
    // MARK: Reads

    func refund(id: String) async throws -> Refund? {
        try await database.read { db in try Self.fetchRefund(db, id: id) }
    }

    /// The payment's refunds, oldest first.
    func refunds(paymentId: String) async throws -> [Refund] {
        try await database.read { db in try Self.fetchRefunds(db, paymentId: paymentId) }
    }

    /// Every refund of these payments, by payment id.
    func refunds(paymentIds: [String]) async throws -> [String: [Refund]] {
        guard !paymentIds.isEmpty else { return [:] }
        return try await database.read { db in
            let placeholders = Array(repeating: "?", count: paymentIds.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM refund WHERE payment_id IN (\(placeholders)) ORDER BY created_at, id",
                                        arguments: StatementArguments(paymentIds))
            return Dictionary(grouping: try rows.map(Self.decodeRefund), by: \.paymentId)
        }
    }

    /// Refunds still waiting for the provider, oldest first (the reconciler finishes them after a crash
    /// and carries out the saga's).
    func pendingRefunds(limit: Int) async throws -> [Refund] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM refund WHERE status = 'PENDING' ORDER BY created_at, id LIMIT ?",
                             arguments: [limit]).map(Self.decodeRefund)
        }
    }

    // MARK: Writes

    /// An admin refund: `PENDING`, counted against the refundable amount at once.
    func createRefund(_ new: NewRefund, now: Date) async throws -> RefundCreation {
        try await database.write { db in try Self.createRefund(new, now: now, in: db) }
    }

    /// Inserts a `PENDING` refund if the payment can give back `amount`: it must have captured, be in the
    /// payment's currency, and fit in captured − refunded − pending. A known request key answers the
    /// refund it created.
    static func createRefund(_ new: NewRefund, now: Date, in db: Database) throws -> RefundCreation {
        guard let payment = try fetchPayment(db, id: new.paymentId) else { throw PaymentError.paymentNotFound(paymentId: new.paymentId) }
        if let key = new.requestKey,
           let row = try Row.fetchOne(db, sql: "SELECT * FROM refund WHERE payment_id = ? AND request_key = ?", arguments: [payment.id, key]) {
            return .existing(try decodeRefund(row), payment)
        }
        guard payment.status.isRefundable else { throw PaymentError.notRefundable(paymentId: payment.id, status: payment.status) }
        guard new.amount.currency == payment.amount.currency else {
            throw PaymentError.currencyMismatch(expected: payment.amount.currency.code, actual: new.amount.currency.code)
        }
        let pending = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(amount_minor), 0) FROM refund WHERE payment_id = ? AND status = 'PENDING'",
                                         arguments: [payment.id]) ?? 0
        let refundable = Money(amountMinor: max(0, payment.refundable.amountMinor - pending), currency: payment.amount.currency)
        guard new.amount.amountMinor > 0, new.amount.amountMinor <= refundable.amountMinor else {
            throw PaymentError.refundExceedsCaptured(paymentId: payment.id, requested: new.amount, refundable: refundable)
        }
        let refund = Refund(id: new.id, paymentId: payment.id, orderId: payment.orderId, amount: new.amount, status: .pending,
                            reason: new.reason, failureCode: nil, source: new.source, requestKey: new.requestKey,
                            createdAt: now, updatedAt: now)
        try insert(refund, in: db)
        return .created(refund, payment)
    }

    /// A refund the saga asked for that cannot happen: recorded `FAILED` with its `RefundFailed`, so the
    /// saga hears back and a re-sent command answers the same.
    static func recordRejectedRefund(_ new: NewRefund, payment: Payment, failureCode: String, now: Date, metadata: EventMetadata,
                                     in db: Database) throws {
        let refund = Refund(id: new.id, paymentId: payment.id, orderId: payment.orderId, amount: new.amount, status: .failed,
                            reason: new.reason, failureCode: failureCode, source: new.source, requestKey: new.requestKey,
                            createdAt: now, updatedAt: now)
        // A non-positive amount cannot be stored (CHECK); the event still says what was asked.
        if new.amount.amountMinor > 0 { try insert(refund, in: db) }
        try Outbox.enqueue(
            RefundFailed(orderId: payment.orderId, paymentId: payment.id, refundId: new.amount.amountMinor > 0 ? refund.id : nil,
                         amount: new.amount, failureCode: failureCode, refundRequestId: new.requestKey, failedAt: now),
            metadata: metadata, occurredAt: now, in: db)
    }

    /// Records the provider's answer about a `PENDING` refund, once: `SUCCEEDED` moves the payment's
    /// `refunded` (and its status) with `PaymentRefunded`; a decline is `FAILED` with `RefundFailed`.
    func completeRefund(id: String, result: ProviderRefundResult, now: Date, metadata: EventMetadata) async throws -> (Refund, Payment) {
        try await database.write { db in try Self.completeRefund(id: id, result: result, now: now, metadata: metadata, in: db) }
    }

    static func completeRefund(id: String, result: ProviderRefundResult, now: Date, metadata: EventMetadata,
                               in db: Database) throws -> (Refund, Payment) {
        guard var refund = try Self.fetchRefund(db, id: id),
              let payment = try Self.fetchPayment(db, id: refund.paymentId) else {
            throw PaymentError.corruptRow("refund \(id) or its payment vanished")
        }
        guard refund.status == .pending else { return (refund, payment) }
        let requestId = refund.source == .saga ? refund.requestKey : nil
        switch result {
        case .succeeded:
            var after = payment
            let refunded = try refund.amount + payment.refunded
            guard let captured = payment.captured, refunded.amountMinor <= captured.amountMinor else {
                throw PaymentError.corruptRow("refund \(id) would take payment \(payment.id) past its capture")
            }
            after.refunded = refunded
            after.status = refunded == captured ? .refunded : .partiallyRefunded
            let updated = try Self.update(
                from: payment, to: after,
                event: PaymentRefunded(orderId: payment.orderId, paymentId: payment.id, refundId: refund.id, amount: refund.amount,
                                       refundedTotal: refunded, fullyRefunded: after.status == .refunded,
                                       refundRequestId: requestId, refundedAt: now),
                now: now, metadata: metadata, in: db)
            refund.status = .succeeded
            refund.updatedAt = now
            try db.execute(sql: "UPDATE refund SET status = 'SUCCEEDED', updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [now, id])
            return (refund, updated)
        case .declined(let code):
            refund.status = .failed
            refund.failureCode = code
            refund.updatedAt = now
            try db.execute(sql: "UPDATE refund SET status = 'FAILED', failure_code = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [code, now, id])
            try Outbox.enqueue(
                RefundFailed(orderId: payment.orderId, paymentId: payment.id, refundId: refund.id, amount: refund.amount,
                             failureCode: code, refundRequestId: requestId, failedAt: now),
                metadata: metadata, occurredAt: now, in: db)
            return (refund, payment)
        }
    }

    // MARK: Row mapping

    private static func insert(_ refund: Refund, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO refund (id, payment_id, order_id, amount_minor, currency, status, reason, failure_code, source,
                    request_key, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [refund.id, refund.paymentId, refund.orderId, refund.amount.amountMinor, refund.amount.currency.code,
                        refund.status.rawValue, refund.reason, refund.failureCode, refund.source.rawValue, refund.requestKey,
                        refund.createdAt, refund.updatedAt])
    }

    static func fetchRefund(_ db: Database, id: String) throws -> Refund? {
        try Row.fetchOne(db, sql: "SELECT * FROM refund WHERE id = ?", arguments: [id]).map(decodeRefund)
    }

    static func fetchRefunds(_ db: Database, paymentId: String) throws -> [Refund] {
        try Row.fetchAll(db, sql: "SELECT * FROM refund WHERE payment_id = ? ORDER BY created_at, id", arguments: [paymentId])
            .map(decodeRefund)
    }

    static func decodeRefund(_ row: Row) throws -> Refund {
        let statusName: String = row["status"]
        let sourceName: String = row["source"]
        guard let status = RefundStatus(rawValue: statusName), let source = RefundSource(rawValue: sourceName) else {
            throw PaymentError.corruptRow("refund \(row["id"] as String? ?? "?") has status \(statusName), source \(sourceName)")
        }
        return Refund(id: row["id"], paymentId: row["payment_id"], orderId: row["order_id"], amount: try row.money("amount_minor"),
                      status: status, reason: row["reason"], failureCode: row["failure_code"], source: source,
                      requestKey: row["request_key"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}
