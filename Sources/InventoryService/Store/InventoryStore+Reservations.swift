import Contracts
import Foundation
import GRDB
import ServiceKit

/// What a saga command other than ReserveStock did, for the consumer's log. Every case that answers
/// has already enqueued its reply.
enum ReservationCommandOutcome: Sendable, Equatable {
    case applied
    /// Answered again with the earlier outcome (a resent command); nothing changed.
    case repeated
    /// Not applicable in the reservation's state; nothing changed and nothing answered.
    case ignored(reason: String)
}

extension InventoryStore {
    /// How often one line's allocation is planned again after a row changed under it.
    static let allocationAttempts = 5

    // MARK: Reads

    public func reservation(orderId: String) async throws -> Reservation {
        try await database.read { db in
            guard let reservation = try Self.fetchReservation(orderId: orderId, db) else {
                throw InventoryError.reservationNotFound(orderId: orderId)
            }
            return reservation
        }
    }

    // MARK: Reserve

    /// Reserves every line or none (`POST /inventory/reserve` and `ReserveStock`), idempotent by order id.
    /// A rejection is an outcome, not an error: it is recorded and announced in the same transaction.
    /// - Throws: `reservationLinesDiffer` when the order already asked for other lines.
    public func reserve(_ request: ReservationRequest, defaultTTL: Int, metadata: EventMetadata) async throws -> ReservationOutcome {
        let now = clock.now()
        return try await database.write { db in
            try Self.reserve(request, defaultTTL: defaultTTL, now: now, metadata: metadata, db)
        }
    }

    /// - Parameter answerRepeats: enqueue the first outcome's reply again for a repeated request (the
    ///   saga resends a command when its reply is late; an HTTP caller gets the answer in the response).
    static func reserve(_ request: ReservationRequest, defaultTTL: Int, now: Date, metadata: EventMetadata,
                        answerRepeats: Bool = false, _ db: Database) throws -> ReservationOutcome {
        let orderId = request.orderId.lowercased()
        let requested = request.normalizedLines
        if let existing = try fetchReservation(orderId: orderId, db) {
            guard existing.requested == requested else { throw InventoryError.reservationLinesDiffer(orderId: orderId) }
            if answerRepeats {
                try Outbox.enqueue(StockReserved(orderId: orderId, reservationId: existing.id, lines: existing.lines, expiresAt: existing.expiresAt),
                                   metadata: metadata, occurredAt: now, in: db)
            }
            return .existing(existing)
        }
        if let rejection = try Row.fetchOne(db, sql: "SELECT * FROM reservation_rejection WHERE order_id = ?", arguments: [orderId]) {
            let earlier = try JSONColumn.decode([ProductQuantity].self, rejection["requested_lines"]) ?? []
            guard earlier == requested else { throw InventoryError.reservationLinesDiffer(orderId: orderId) }
            let shortages = try JSONColumn.decode([InventoryError.Shortage].self, rejection["shortages"]) ?? []
            if answerRepeats {
                try Outbox.enqueue(StockReservationRejected(
                    orderId: orderId, reason: "OUT_OF_STOCK",
                    lines: shortages.map { .init(productId: $0.productId, requested: $0.requested, available: $0.available) },
                    rejectedAt: Millis.date(rejection["rejected_at"])), metadata: metadata, occurredAt: now, in: db)
            }
            return .rejected(shortages)
        }

        let lines = request.lines.map { ProductQuantity(productId: $0.productId.lowercased(), quantity: $0.quantity) }
        let tracker = try StockLevelTracker(products: lines.map(\.productId), db)
        var held: [StockReservationLine] = []
        do {
            // All lines in one savepoint: a line that cannot be covered undoes the lines before it.
            try db.inSavepoint {
                for (index, line) in lines.enumerated() {
                    held += try allocate(line, index: index, now: now, db)
                }
                return .commit
            }
        } catch let short as ShortLine {
            // Name every short line, not only the first: measure the others against the untouched rows.
            var shortages = [short.shortage]
            for (index, line) in lines.enumerated() where index != short.shortage.index {
                let available = try availableQuantity(productId: line.productId, db)
                if available < line.quantity {
                    shortages.append(InventoryError.Shortage(index: index, productId: line.productId, requested: line.quantity, available: available))
                }
            }
            shortages.sort { $0.index < $1.index }
            try db.execute(sql: """
                INSERT INTO reservation_rejection (order_id, requested_lines, shortages, rejected_at) VALUES (?, ?, ?, ?)
                """, arguments: [orderId, try JSONColumn.encode(requested), try JSONColumn.encode(shortages), Millis.from(now)])
            try Outbox.enqueue(StockReservationRejected(
                orderId: orderId, reason: "OUT_OF_STOCK",
                lines: shortages.map { .init(productId: $0.productId, requested: $0.requested, available: $0.available) },
                rejectedAt: now), metadata: metadata, occurredAt: now, in: db)
            return .rejected(shortages)
        }

        let ttl = request.ttlSeconds ?? defaultTTL
        let reservation = Reservation(id: Identifier.make(at: now), orderId: orderId, status: .active,
                                      expiresAt: now.addingTimeInterval(TimeInterval(ttl)), extended: false,
                                      lines: merge(held), requested: requested, createdAt: now, updatedAt: now)
        try db.execute(sql: """
            INSERT INTO reservation (id, order_id, status, requested_lines, expires_at, extended, created_at, updated_at)
            VALUES (?, ?, 'ACTIVE', ?, ?, 0, ?, ?)
            """, arguments: [reservation.id, orderId, try JSONColumn.encode(requested), Millis.from(reservation.expiresAt),
                             Millis.from(now), Millis.from(now)])
        for line in reservation.lines {
            try db.execute(sql: "INSERT INTO reservation_line (reservation_id, product_id, warehouse_id, quantity) VALUES (?, ?, ?, ?)",
                           arguments: [reservation.id, line.productId, line.warehouseId, line.quantity])
        }
        try Outbox.enqueue(StockReserved(orderId: orderId, reservationId: reservation.id, lines: reservation.lines,
                                         expiresAt: reservation.expiresAt), metadata: metadata, occurredAt: now, in: db)
        try tracker.publishChanges(at: now, metadata: metadata, db)
        return .created(reservation)
    }

    /// Thrown inside the reservation's savepoint to undo it.
    private struct ShortLine: Error {
        var shortage: InventoryError.Shortage
    }

    /// Holds one line's quantity with conditional updates: each row changes only if its version is the
    /// one the plan was made from and it still has the quantity free. A row that changed meanwhile
    /// makes the line plan again from fresh rows (bounded); the table's CHECK is the last guard.
    private static func allocate(_ line: ProductQuantity, index: Int, now: Date, _ db: Database) throws -> [StockReservationLine] {
        for _ in 1...allocationAttempts {
            let candidates = try Row.fetchAll(db, sql: """
                SELECT s.warehouse_id, s.on_hand - s.reserved AS available, s.version
                FROM stock s JOIN warehouse w ON w.id = s.warehouse_id
                WHERE s.product_id = ? AND w.active = 1 AND s.on_hand > s.reserved
                ORDER BY w.priority, w.code
                """, arguments: [line.productId]).map {
                Allocation.Candidate(warehouseId: $0["warehouse_id"], available: $0["available"], version: $0["version"])
            }
            guard let plan = Allocation.plan(quantity: line.quantity, from: candidates) else {
                throw ShortLine(shortage: InventoryError.Shortage(index: index, productId: line.productId, requested: line.quantity,
                                                                  available: candidates.reduce(0) { $0 + $1.available }))
            }
            var lostRace = false
            try db.inSavepoint {
                for piece in plan {
                    try db.execute(sql: """
                        UPDATE stock SET reserved = reserved + ?, version = version + 1, updated_at = ?
                        WHERE product_id = ? AND warehouse_id = ? AND version = ? AND on_hand - reserved >= ?
                        """, arguments: [piece.quantity, Millis.from(now), line.productId, piece.warehouseId,
                                         piece.expectedVersion, piece.quantity])
                    if db.changesCount != 1 {
                        lostRace = true
                        return .rollback
                    }
                }
                return .commit
            }
            if !lostRace {
                return plan.map { StockReservationLine(productId: line.productId, warehouseId: $0.warehouseId, quantity: $0.quantity) }
            }
        }
        throw InventoryError.internalFailure("stock rows of product \(line.productId) kept changing during allocation")
    }

    static func availableQuantity(productId: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COALESCE(SUM(s.on_hand - s.reserved), 0) FROM stock s JOIN warehouse w ON w.id = s.warehouse_id
            WHERE s.product_id = ? AND w.active = 1
            """, arguments: [productId]) ?? 0
    }

    /// One line per (product, warehouse), in the order first seen.
    private static func merge(_ lines: [StockReservationLine]) -> [StockReservationLine] {
        var merged: [StockReservationLine] = []
        for line in lines {
            if let index = merged.firstIndex(where: { $0.productId == line.productId && $0.warehouseId == line.warehouseId }) {
                merged[index].quantity += line.quantity
            } else {
                merged.append(line)
            }
        }
        return merged
    }

    // MARK: Extend, release, commit, return

    static func extend(orderId: String, by seconds: Int, now: Date, metadata: EventMetadata, _ db: Database) throws -> ReservationCommandOutcome {
        guard let reservation = try fetchReservation(orderId: orderId, db) else { return .ignored(reason: "no reservation") }
        guard reservation.status == .active, reservation.expiresAt > now else {
            return .ignored(reason: "reservation is \(reservation.status.rawValue)\(reservation.status == .active ? " past its expiry" : "")")
        }
        if reservation.extended {
            try Outbox.enqueue(StockReservationExtended(orderId: orderId, reservationId: reservation.id, expiresAt: reservation.expiresAt),
                               metadata: metadata, occurredAt: now, in: db)
            return .repeated
        }
        let expiresAt = reservation.expiresAt.addingTimeInterval(TimeInterval(seconds))
        try db.execute(sql: """
            UPDATE reservation SET expires_at = ?, extended = 1, updated_at = ? WHERE id = ? AND status = 'ACTIVE' AND extended = 0
            """, arguments: [Millis.from(expiresAt), Millis.from(now), reservation.id])
        guard db.changesCount == 1 else { throw InventoryError.internalFailure("reservation \(reservation.id) changed during its extension") }
        try Outbox.enqueue(StockReservationExtended(orderId: orderId, reservationId: reservation.id, expiresAt: expiresAt),
                           metadata: metadata, occurredAt: now, in: db)
        return .applied
    }

    static func release(orderId: String, reason: String, now: Date, metadata: EventMetadata, _ db: Database) throws -> ReservationCommandOutcome {
        guard let reservation = try fetchReservation(orderId: orderId, db) else {
            // Nothing was reserved (a rejection, or a reserve that never arrived): acknowledge anyway.
            try Outbox.enqueue(StockReservationReleased(orderId: orderId, reservationId: nil, reason: reason, lines: [], releasedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .repeated
        }
        switch reservation.status {
        case .active:
            try giveBack(reservation, to: .released, reason: reason, now: now, metadata: metadata, db)
            try Outbox.enqueue(StockReservationReleased(orderId: orderId, reservationId: reservation.id, reason: reason,
                                                        lines: reservation.lines, releasedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .applied
        case .released, .expired:
            try Outbox.enqueue(StockReservationReleased(orderId: orderId, reservationId: reservation.id, reason: reason, lines: [],
                                                        releasedAt: now), metadata: metadata, occurredAt: now, in: db)
            return .repeated
        case .committed:
            return .ignored(reason: "the reservation was committed; send ReturnStock")
        }
    }

    static func commit(orderId: String, now: Date, metadata: EventMetadata, _ db: Database) throws -> ReservationCommandOutcome {
        guard let reservation = try fetchReservation(orderId: orderId, db) else {
            try Outbox.enqueue(StockCommitFailed(orderId: orderId, reservationId: nil, reason: "RESERVATION_NOT_FOUND", failedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .applied
        }
        let committedLines = reservation.lines.map { StockCommitted.Line(productId: $0.productId, warehouseId: $0.warehouseId, quantity: $0.quantity) }
        switch reservation.status {
        case .active:
            let tracker = try StockLevelTracker(products: reservation.lines.map(\.productId), db)
            for line in reservation.lines {
                try db.execute(sql: """
                    UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?, version = version + 1, updated_at = ?
                    WHERE product_id = ? AND warehouse_id = ? AND reserved >= ?
                    """, arguments: [line.quantity, line.quantity, Millis.from(now), line.productId, line.warehouseId, line.quantity])
                guard db.changesCount == 1 else {
                    throw InventoryError.internalFailure("stock row \(line.productId)/\(line.warehouseId) holds less than reservation \(reservation.id)")
                }
            }
            try setStatus(reservation, .committed, reason: nil, now: now, db)
            try Outbox.enqueue(StockCommitted(orderId: orderId, reservationId: reservation.id, lines: committedLines, committedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            try tracker.publishChanges(at: now, metadata: metadata, db)
            return .applied
        case .committed:
            try Outbox.enqueue(StockCommitted(orderId: orderId, reservationId: reservation.id, lines: committedLines,
                                              committedAt: reservation.updatedAt), metadata: metadata, occurredAt: now, in: db)
            return .repeated
        case .expired, .released:
            let reason = reservation.status == .expired ? "RESERVATION_EXPIRED" : "RESERVATION_RELEASED"
            try Outbox.enqueue(StockCommitFailed(orderId: orderId, reservationId: reservation.id, reason: reason, failedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .applied
        }
    }

    /// Committed stock back on hand (capped at what was committed and not yet returned), or, for a
    /// reservation still active, its reserved stock released.
    static func returnStock(orderId: String, lines requestedLines: [ProductQuantity]?, reason: String, now: Date,
                            metadata: EventMetadata, _ db: Database) throws -> ReservationCommandOutcome {
        guard let reservation = try fetchReservation(orderId: orderId, db) else {
            try Outbox.enqueue(StockReturned(orderId: orderId, reservationId: nil, lines: [], reason: reason, returnedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .repeated
        }
        switch reservation.status {
        case .active:
            try giveBack(reservation, to: .released, reason: reason, now: now, metadata: metadata, db)
            try Outbox.enqueue(StockReturned(orderId: orderId, reservationId: reservation.id, lines: reservation.lines, reason: reason,
                                             returnedAt: now), metadata: metadata, occurredAt: now, in: db)
            return .applied
        case .released, .expired:
            try Outbox.enqueue(StockReturned(orderId: orderId, reservationId: reservation.id, lines: [], reason: reason, returnedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .repeated
        case .committed:
            break
        }
        let tracker = try StockLevelTracker(products: reservation.lines.map(\.productId), db)
        var wanted: [String: Int] = [:]
        if let requestedLines {
            for line in requestedLines where line.quantity > 0 { wanted[line.productId.lowercased(), default: 0] += line.quantity }
        }
        var returned: [StockReservationLine] = []
        let rows = try Row.fetchAll(db, sql: """
            SELECT l.product_id, l.warehouse_id, l.quantity - l.returned AS returnable
            FROM reservation_line l JOIN warehouse w ON w.id = l.warehouse_id
            WHERE l.reservation_id = ? AND l.quantity > l.returned ORDER BY l.product_id, w.priority, w.code
            """, arguments: [reservation.id])
        for row in rows {
            let productId: String = row["product_id"]
            let warehouseId: String = row["warehouse_id"]
            let returnable: Int = row["returnable"]
            let quantity = requestedLines == nil ? returnable : min(returnable, wanted[productId] ?? 0)
            guard quantity > 0 else { continue }
            wanted[productId, default: 0] -= quantity
            try db.execute(sql: """
                UPDATE reservation_line SET returned = returned + ?
                WHERE reservation_id = ? AND product_id = ? AND warehouse_id = ? AND returned + ? <= quantity
                """, arguments: [quantity, reservation.id, productId, warehouseId, quantity])
            guard db.changesCount == 1 else { throw InventoryError.internalFailure("return of \(orderId) exceeded its committed lines") }
            try db.execute(sql: """
                UPDATE stock SET on_hand = on_hand + ?, version = version + 1, updated_at = ? WHERE product_id = ? AND warehouse_id = ?
                """, arguments: [quantity, Millis.from(now), productId, warehouseId])
            returned.append(StockReservationLine(productId: productId, warehouseId: warehouseId, quantity: quantity))
        }
        try Outbox.enqueue(StockReturned(orderId: orderId, reservationId: reservation.id, lines: returned, reason: reason, returnedAt: now),
                           metadata: metadata, occurredAt: now, in: db)
        try tracker.publishChanges(at: now, metadata: metadata, db)
        return returned.isEmpty ? .repeated : .applied
    }

    // MARK: Expiry

    /// Expires up to `limit` active reservations past their expiry in one transaction: their stock is
    /// free again and each gets one `StockReservationExpired`. Returns how many.
    public func expireDue(limit: Int) async throws -> Int {
        let now = clock.now()
        return try await database.write { db in try Self.expireDue(now: now, limit: limit, db) }
    }

    static func expireDue(now: Date, limit: Int, _ db: Database) throws -> Int {
        let due = try String.fetchAll(db, sql: """
            SELECT order_id FROM reservation WHERE status = 'ACTIVE' AND expires_at <= ? ORDER BY expires_at LIMIT ?
            """, arguments: [Millis.from(now), limit])
        var expired = 0
        for orderId in due {
            guard let reservation = try fetchReservation(orderId: orderId, db), reservation.status == .active else { continue }
            let metadata = EventMetadata(correlationId: orderId, causationId: reservation.id)
            // The status change is conditional, so a reservation is expired (and announced) once.
            try giveBack(reservation, to: .expired, reason: "EXPIRED", now: now, metadata: metadata, db)
            try Outbox.enqueue(StockReservationExpired(orderId: orderId, reservationId: reservation.id, expiredAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            expired += 1
        }
        return expired
    }

    // MARK: Shared steps

    /// An active reservation's reserved stock back to available, and its new status.
    private static func giveBack(_ reservation: Reservation, to status: Reservation.Status, reason: String, now: Date,
                                 metadata: EventMetadata, _ db: Database) throws {
        let tracker = try StockLevelTracker(products: reservation.lines.map(\.productId), db)
        try setStatus(reservation, status, reason: reason, now: now, db)
        for line in reservation.lines {
            try db.execute(sql: """
                UPDATE stock SET reserved = reserved - ?, version = version + 1, updated_at = ?
                WHERE product_id = ? AND warehouse_id = ? AND reserved >= ?
                """, arguments: [line.quantity, Millis.from(now), line.productId, line.warehouseId, line.quantity])
            guard db.changesCount == 1 else {
                throw InventoryError.internalFailure("stock row \(line.productId)/\(line.warehouseId) holds less than reservation \(reservation.id)")
            }
        }
        try tracker.publishChanges(at: now, metadata: metadata, db)
    }

    /// ACTIVE → `status`, conditionally: a reservation leaves ACTIVE once.
    private static func setStatus(_ reservation: Reservation, _ status: Reservation.Status, reason: String?, now: Date, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE reservation SET status = ?, release_reason = ?, updated_at = ? WHERE id = ? AND status = 'ACTIVE'
            """, arguments: [status.rawValue, reason, Millis.from(now), reservation.id])
        guard db.changesCount == 1 else { throw InventoryError.internalFailure("reservation \(reservation.id) left ACTIVE meanwhile") }
    }

    // MARK: Rows

    static func fetchReservation(orderId: String, _ db: Database) throws -> Reservation? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM reservation WHERE order_id = ?", arguments: [orderId]) else { return nil }
        let id: String = row["id"]
        let lines = try Row.fetchAll(db, sql: """
            SELECT l.product_id, l.warehouse_id, l.quantity FROM reservation_line l JOIN warehouse w ON w.id = l.warehouse_id
            WHERE l.reservation_id = ? ORDER BY l.product_id, w.priority, w.code
            """, arguments: [id]).map {
            StockReservationLine(productId: $0["product_id"], warehouseId: $0["warehouse_id"], quantity: $0["quantity"])
        }
        let statusText: String = row["status"]
        guard let status = Reservation.Status(rawValue: statusText) else {
            throw InventoryError.internalFailure("reservation \(id) has an unknown status \(statusText)")
        }
        return Reservation(id: id, orderId: row["order_id"], status: status, expiresAt: Millis.date(row["expires_at"]),
                           extended: row["extended"], lines: lines,
                           requested: try JSONColumn.decode([ProductQuantity].self, row["requested_lines"]) ?? [],
                           createdAt: Millis.date(row["created_at"]), updatedAt: Millis.date(row["updated_at"]))
    }
}
