import Contracts
import Foundation
import GRDB
import ServiceKit

/// The payable-order projection. Events of one order arrive in order (one key, one partition); the
/// guards here keep a redelivered or late event from reopening an order that was paid or cancelled.
extension PaymentStore {
    func payableOrder(id: String) async throws -> PayableOrder? {
        try await database.read { db in try Self.fetchOrder(db, id: id) }
    }

    static func fetchOrder(_ db: Database, id: String) throws -> PayableOrder? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM payable_order WHERE order_id = ?", arguments: [id]) else {
            return nil
        }
        return PayableOrder(orderId: row["order_id"], userId: row["user_id"], total: try row.money("total_minor"),
                            status: row["status"], paymentDueBy: row["payment_due_by"])
    }

    /// `OrderPlaced`: the order exists, owned by `userId`, costing `total`; it waits for its reservation.
    static func applyOrderPlaced(_ event: OrderPlaced, now: Date, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO payable_order (order_id, user_id, total_minor, currency, status, payment_due_by, updated_at)
                VALUES (?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT (order_id) DO UPDATE SET user_id = excluded.user_id, total_minor = excluded.total_minor,
                    currency = excluded.currency, updated_at = excluded.updated_at
                """,
            arguments: [event.orderId, event.userId, event.total.amountMinor, event.total.currency.code,
                        PayableOrder.pendingReservation, now])
    }

    /// `OrderAwaitingPayment`: payable now, until `paymentDueBy` (also after a retryable decline).
    static func applyOrderAwaitingPayment(_ event: OrderAwaitingPayment, now: Date, in db: Database) throws {
        try upsertStatus(orderId: event.orderId, userId: event.userId, total: event.total,
                         status: PayableOrder.awaitingPayment, paymentDueBy: event.paymentDueBy, now: now, in: db)
    }

    static func applyOrderPaid(_ event: OrderPaid, now: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE payable_order SET status = ?, updated_at = ? WHERE order_id = ? AND status != ?",
                       arguments: [PayableOrder.paid, now, event.orderId, PayableOrder.cancelled])
    }

    static func applyOrderCancelled(_ event: OrderCancelled, now: Date, in db: Database) throws {
        try db.execute(sql: "UPDATE payable_order SET status = ?, updated_at = ? WHERE order_id = ?",
                       arguments: [PayableOrder.cancelled, now, event.orderId])
    }

    private static func upsertStatus(orderId: String, userId: String, total: Money, status: String, paymentDueBy: Date?,
                                     now: Date, in db: Database) throws {
        let finals = PayableOrder.final.map { "'\($0)'" }.joined(separator: ", ")
        try db.execute(
            sql: """
                INSERT INTO payable_order (order_id, user_id, total_minor, currency, status, payment_due_by, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (order_id) DO UPDATE SET user_id = excluded.user_id, total_minor = excluded.total_minor,
                    currency = excluded.currency, status = excluded.status, payment_due_by = excluded.payment_due_by,
                    updated_at = excluded.updated_at
                WHERE payable_order.status NOT IN (\(finals))
                """,
            arguments: [orderId, userId, total.amountMinor, total.currency.code, status, paymentDueBy, now])
    }
}
