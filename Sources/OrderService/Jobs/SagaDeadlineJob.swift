import Foundation
import Logging
import ServiceKit

/// Fires the saga's due deadlines (C2 resends, C6 payment timeout, the return window, retries of refunds
/// and shipments). One indexed query per interval while idle; a backlog is worked through in batches
/// without waiting.
enum SagaDeadlineJob {
    static func make(orders: Orders, interval: Duration, logger: Logger) -> PeriodicJob {
        PeriodicJob("saga deadlines", every: interval, logger: logger) {
            let batch = 100
            while try await orders.fireDueDeadlines(limit: batch) == batch {}
        }
    }
}
