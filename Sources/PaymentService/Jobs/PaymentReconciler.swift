import Logging
import ServiceKit

/// The background job that takes open work to the provider every `PAYMENT_RECONCILE_INTERVAL_MS`
/// (`Payments.reconcile`): status polls of `INITIATED` payments (`tok_delayed_success` captures this way,
/// `tok_timeout` stays pending), voids the saga asked for, and pending refunds.
enum PaymentReconciler {
    static func job(_ payments: Payments, every interval: Duration, logger: Logger) -> PeriodicJob {
        PeriodicJob("payment reconciliation", every: interval, logger: logger) {
            try await payments.reconcile()
        }
    }
}
