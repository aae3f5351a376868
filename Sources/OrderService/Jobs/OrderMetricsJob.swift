import Foundation
import Logging
import ServiceKit

/// Refreshes the order gauges on `/metrics` from the database: the checkout funnel (orders by status,
/// cancelled orders by reason) and what an operator must look at (stuck orders, the oldest order waiting
/// on another service). Read from the table rather than counted as they happen, so a restart loses nothing.
enum OrderMetricsJob {
    static func make(store: OrderStore, app: ServiceApp, interval: Duration, clock: ServiceClock, logger: Logger) -> PeriodicJob {
        PeriodicJob("order metrics", every: interval, start: .immediately, logger: logger) {
            let counts = try await store.database.read { db in try OrderStore.counts(db) }
            for status in OrderStatus.allCases {
                app.setGauge(namespace: "order", name: "orders", help: "Orders, by status (the saga's state).",
                             labels: [("status", status.rawValue)], value: Double(counts.byStatus[status] ?? 0))
            }
            for reason in CancelReason.allCases {
                app.setGauge(namespace: "order", name: "orders_cancelled", help: "Orders with a cancel reason, by reason (whatever their status now).",
                             labels: [("reason", reason.rawValue)], value: Double(counts.cancelledByReason[reason] ?? 0))
            }
            app.setGauge(namespace: "order", name: "orders_stuck", help: "Orders flagged stuck: a checkout message went to the dead-letter topic (C14).",
                         value: Double(counts.stuck))
            let age = counts.oldestInFlightUpdate.map { max(0, clock.now().timeIntervalSince($0)) } ?? 0
            app.setGauge(namespace: "order", name: "in_flight_oldest_age", unit: "seconds",
                         help: "Age of the oldest order waiting on another service (reservation, payment, cancellation, refund); 0 when none.",
                         value: age)
        }
    }
}
