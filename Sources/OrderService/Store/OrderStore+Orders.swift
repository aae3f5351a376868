import Contracts
import Foundation
import GRDB
import ServiceKit

// Orders: the placement, the saga's transitions (order row with its version check, status history, outbox
// commands and events, deadline — one transaction, the caller's), and the reads of the API.
extension OrderStore {
    // MARK: Writes

    /// Inserts a placed order and applies the saga's first decision (OrderPlaced, ReserveStock, deadline).
    static func insert(_ order: Order, idempotencyKey: String, decision: SagaDecision, metadata: EventMetadata, now: Date,
                       _ db: Database) throws {
        let saga = order.saga
        try db.execute(sql: """
            INSERT INTO orders (id, user_id, idempotency_key, status, cancel_reason, stuck, lines, item_count, subtotal_minor,
                                total_minor, currency, customer, shipping_address, billing_address, payment_due_by,
                                payment_attempts, payment_id, shipment_id, carrier, tracking_number, facts, placed_at,
                                updated_at, version)
            VALUES (?, ?, ?, ?, NULL, 0, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL, NULL, NULL, NULL, ?, ?, ?, 1)
            """, arguments: [saga.id, saga.userId, idempotencyKey, saga.status.rawValue, try JSONColumn.encode(saga.lines),
                             order.itemCount, order.subtotal.amountMinor, saga.total.amountMinor, saga.total.currency.code,
                             try JSONColumn.encode(order.customer), try JSONColumn.encode(saga.shippingAddress),
                             try JSONColumn.encode(order.billingAddress), try JSONColumn.encode(saga.facts),
                             Timestamp.format(order.placedAt), Timestamp.format(now)])
        try writeSideEffects(of: decision, orderId: saga.id, metadata: metadata, now: now, db)
    }

    /// Stores a decision taken on `previous` (read in this same transaction): the order row if it changed,
    /// guarded by `previous.version`; then history, outbox and deadline.
    /// - Throws: `OrderError.versionConflict` when the row changed since it was read.
    static func apply(_ decision: SagaDecision, to previous: SagaOrder, metadata: EventMetadata, now: Date, _ db: Database) throws {
        guard decision.changesSomething else { return }
        let order = decision.order
        try db.execute(sql: """
            UPDATE orders SET status = ?, cancel_reason = ?, stuck = ?, payment_due_by = ?, payment_attempts = ?, payment_id = ?,
                              shipment_id = ?, carrier = ?, tracking_number = ?, facts = ?, updated_at = ?, version = version + 1
            WHERE id = ? AND version = ?
            """, arguments: [order.status.rawValue, order.cancelReason?.rawValue, order.stuck, order.paymentDueBy.map(Timestamp.format),
                             order.paymentAttempts, order.paymentId, order.shipmentId, order.carrier, order.trackingNumber,
                             try JSONColumn.encode(order.facts), Timestamp.format(now), previous.id, previous.version])
        guard db.changesCount == 1 else { throw OrderError.versionConflict(orderId: previous.id) }
        try writeSideEffects(of: decision, orderId: previous.id, metadata: metadata, now: now, db)
    }

    private static func writeSideEffects(of decision: SagaDecision, orderId: String, metadata: EventMetadata, now: Date,
                                         _ db: Database) throws {
        for step in decision.entered {
            try db.execute(sql: "INSERT INTO order_status_history (order_id, status, at, reason) VALUES (?, ?, ?, ?)",
                           arguments: [orderId, step.status.rawValue, Timestamp.format(now), step.reason])
        }
        // Events first: a consumer of both streams sees the order's fact before the command it caused.
        for event in decision.events { try enqueue(event, metadata: metadata, now: now, db) }
        for command in decision.commands { try enqueue(command, metadata: metadata, now: now, db) }
        switch decision.deadline {
        case .keep:
            break
        case .clear:
            try db.execute(sql: "DELETE FROM saga_deadline WHERE order_id = ?", arguments: [orderId])
        case .set(let deadline):
            try db.execute(sql: """
                INSERT INTO saga_deadline (order_id, kind, due_at) VALUES (?, ?, ?)
                ON CONFLICT (order_id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at
                """, arguments: [orderId, deadline.kind.rawValue, Timestamp.format(deadline.dueAt)])
        }
    }

    private static func enqueue(_ command: SagaCommand, metadata: EventMetadata, now: Date, _ db: Database) throws {
        switch command {
        case .reserveStock(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .extendReservation(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .releaseStock(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .commitStock(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .returnStock(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .voidPayment(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .refundPayment(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .createShipment(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        case .cancelShipment(let c): try Outbox.enqueue(c, metadata: metadata, occurredAt: now, in: db)
        }
    }

    private static func enqueue(_ event: OrderEvent, metadata: EventMetadata, now: Date, _ db: Database) throws {
        switch event {
        case .placed(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .awaitingPayment(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .paid(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .cancellationRequested(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .cancelled(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .shipped(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .delivered(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .completed(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .returnRequested(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .returned(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        case .refunded(let e): try Outbox.enqueue(e, metadata: metadata, occurredAt: now, in: db)
        }
    }

    /// Sets or clears the operator flag without a transition (C14: a message of this order was dead-lettered).
    static func markStuck(orderId: String, now: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE orders SET stuck = 1, updated_at = ?, version = version + 1 WHERE id = ? AND stuck = 0",
                       arguments: [Timestamp.format(now), orderId])
    }

    // MARK: Deadlines

    /// Deadlines due at `now`, earliest first.
    static func dueDeadlines(now: Date, limit: Int, _ db: Database) throws -> [(orderId: String, deadline: SagaDeadline)] {
        try Row.fetchAll(db, sql: "SELECT order_id, kind, due_at FROM saga_deadline WHERE due_at <= ? ORDER BY due_at LIMIT ?",
                         arguments: [Timestamp.format(now), limit]).compactMap { row in
            guard let kind = SagaDeadline.Kind(rawValue: row["kind"]), let due = Timestamp.parse(row["due_at"]) else { return nil }
            return (row["order_id"], SagaDeadline(kind, dueAt: due))
        }
    }

    static func deadline(orderId: String, _ db: Database) throws -> SagaDeadline? {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, due_at FROM saga_deadline WHERE order_id = ?", arguments: [orderId]),
              let kind = SagaDeadline.Kind(rawValue: row["kind"]), let due = Timestamp.parse(row["due_at"]) else { return nil }
        return SagaDeadline(kind, dueAt: due)
    }

    static func removeDeadline(orderId: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM saga_deadline WHERE order_id = ?", arguments: [orderId])
    }

    // MARK: Reads

    static func fetchSaga(orderId: String, _ db: Database) throws -> SagaOrder? {
        try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [orderId]).map(sagaOrder)
    }

    static func fetchOrder(orderId: String, _ db: Database) throws -> Order? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [orderId]) else { return nil }
        return try order(row, history: try history(orderId: orderId, db))
    }

    /// The order a user placed with this `Idempotency-Key` (the natural-key backstop of POST /orders).
    static func orderId(userId: String, idempotencyKey: String, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM orders WHERE user_id = ? AND idempotency_key = ?", arguments: [userId, idempotencyKey])
    }

    static func list(_ query: OrderListQuery, _ db: Database) throws -> OrderPage {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let userId = query.userId {
            conditions.append("user_id = ?")
            _ = arguments.append(contentsOf: [userId])
        }
        if !query.statuses.isEmpty {
            conditions.append("status IN (\(query.statuses.map { _ in "?" }.joined(separator: ",")))")
            _ = arguments.append(contentsOf: StatementArguments(query.statuses.map(\.rawValue)))
        }
        if let stuck = query.stuck {
            conditions.append("stuck = ?")
            _ = arguments.append(contentsOf: [stuck])
        }
        if let after = query.after {
            conditions.append("(placed_at < ? OR (placed_at = ? AND id < ?))")
            let placed = Timestamp.format(after.placedAt)
            _ = arguments.append(contentsOf: [placed, placed, after.id])
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [query.limit + 1])
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, status, cancel_reason, stuck, total_minor, currency, item_count, placed_at, updated_at FROM orders
            \(whereClause) ORDER BY placed_at DESC, id DESC LIMIT ?
            """, arguments: arguments)
        var items = try rows.prefix(query.limit).map(summary)
        let next = rows.count > query.limit ? items.last.map { OrderListPosition(placedAt: $0.placedAt, id: $0.id) } : nil
        if items.count > query.limit { items.removeLast() }
        return OrderPage(items: items, next: next)
    }

    // MARK: Row mapping

    private static func history(orderId: String, _ db: Database) throws -> [Order.HistoryEntry] {
        try Row.fetchAll(db, sql: "SELECT status, at, reason FROM order_status_history WHERE order_id = ? ORDER BY seq",
                         arguments: [orderId]).map { row in
            guard let status = OrderStatus(rawValue: row["status"]), let at = Timestamp.parse(row["at"]) else {
                throw OrderError.corruptRow(table: "order_status_history", id: orderId, reason: "status or time unreadable")
            }
            return Order.HistoryEntry(status: status, at: at, reason: row["reason"])
        }
    }

    private static func money(_ minor: Int64, _ currencyCode: String, id: String) throws -> Money {
        do {
            return Money(amountMinor: minor, currency: try Currency(code: currencyCode))
        } catch {
            throw OrderError.corruptRow(table: "orders", id: id, reason: "currency \(currencyCode)")
        }
    }

    private static func date(_ row: Row, _ column: String, id: String) throws -> Date {
        guard let text: String = row[column], let date = Timestamp.parse(text) else {
            throw OrderError.corruptRow(table: "orders", id: id, reason: "\(column) is not a timestamp")
        }
        return date
    }

    private static func sagaOrder(_ row: Row) throws -> SagaOrder {
        let id: String = row["id"]
        guard let status = OrderStatus(rawValue: row["status"]) else {
            throw OrderError.corruptRow(table: "orders", id: id, reason: "status \(String(describing: row["status"] as String?))")
        }
        let reasonText: String? = row["cancel_reason"]
        let dueText: String? = row["payment_due_by"]
        return SagaOrder(
            id: id, userId: row["user_id"], status: status, cancelReason: reasonText.flatMap(CancelReason.init(rawValue:)),
            stuck: row["stuck"], lines: try JSONColumn.decode([OrderLine].self, row["lines"], table: "orders", id: id),
            total: try money(row["total_minor"], row["currency"], id: id),
            shippingAddress: try JSONColumn.decode(AddressSnapshot.self, row["shipping_address"], table: "orders", id: id),
            paymentDueBy: dueText.flatMap(Timestamp.parse), paymentAttempts: row["payment_attempts"], paymentId: row["payment_id"],
            shipmentId: row["shipment_id"], carrier: row["carrier"], trackingNumber: row["tracking_number"],
            facts: try JSONColumn.decode(SagaFacts.self, row["facts"], table: "orders", id: id), version: row["version"])
    }

    private static func order(_ row: Row, history: [Order.HistoryEntry]) throws -> Order {
        let saga = try sagaOrder(row)
        return Order(saga: saga, subtotal: try money(row["subtotal_minor"], row["currency"], id: saga.id),
                     customer: try JSONColumn.decode(CustomerSnapshot.self, row["customer"], table: "orders", id: saga.id),
                     billingAddress: try JSONColumn.decode(AddressSnapshot.self, row["billing_address"], table: "orders", id: saga.id),
                     placedAt: try date(row, "placed_at", id: saga.id), updatedAt: try date(row, "updated_at", id: saga.id),
                     history: history)
    }

    private static func summary(_ row: Row) throws -> OrderSummary {
        let id: String = row["id"]
        guard let status = OrderStatus(rawValue: row["status"]) else {
            throw OrderError.corruptRow(table: "orders", id: id, reason: "status")
        }
        let reasonText: String? = row["cancel_reason"]
        return OrderSummary(id: id, status: status, cancelReason: reasonText.flatMap(CancelReason.init(rawValue:)), stuck: row["stuck"],
                            total: try money(row["total_minor"], row["currency"], id: id), itemCount: row["item_count"],
                            placedAt: try date(row, "placed_at", id: id), updatedAt: try date(row, "updated_at", id: id))
    }
}
