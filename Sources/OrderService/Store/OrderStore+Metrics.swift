import Contracts
import Foundation
import GRDB

// The counts behind the order service's gauges (the checkout funnel and stuck orders): one read, grouped.
extension OrderStore {
    struct OrderCounts: Sendable {
        var byStatus: [OrderStatus: Int] = [:]
        var cancelledByReason: [CancelReason: Int] = [:]
        var stuck = 0
        /// The oldest `updated_at` of an order waiting on a service (not on the shopper or the carrier).
        var oldestInFlightUpdate: Date?
    }

    /// Statuses in which the saga waits on another service's answer, never on a person: an order that
    /// stays in one of them for minutes is stuck whether or not its flag says so.
    static let inFlightStatuses: [OrderStatus] = [.pendingReservation, .paymentProcessing, .paid, .cancellationPending, .refundPending]

    static func counts(_ db: Database) throws -> OrderCounts {
        var counts = OrderCounts()
        for row in try Row.fetchAll(db, sql: "SELECT status, cancel_reason, stuck, COUNT(*) AS n FROM orders GROUP BY status, cancel_reason, stuck") {
            let n: Int = row["n"]
            if let status = OrderStatus(rawValue: row["status"]) { counts.byStatus[status, default: 0] += n }
            if let reason = (row["cancel_reason"] as String?).flatMap(CancelReason.init(rawValue:)) {
                counts.cancelledByReason[reason, default: 0] += n
            }
            if row["stuck"] as Bool { counts.stuck += n }
        }
        let placeholders = inFlightStatuses.map { _ in "?" }.joined(separator: ",")
        // Timestamps are stored in one ISO-8601 UTC format, so the smallest text is the oldest time.
        let oldest = try String.fetchOne(db, sql: "SELECT MIN(updated_at) FROM orders WHERE status IN (\(placeholders))",
                                         arguments: StatementArguments(inFlightStatuses.map(\.rawValue)))
        counts.oldestInFlightUpdate = oldest.flatMap(Timestamp.parse)
        return counts
    }
}
