import Logging
import ServiceKit

/// The sweeper: every interval, expires the active reservations past their expiry (in batches, one
/// transaction each) and announces each once with `StockReservationExpired`.
enum ReservationExpiry {
    static func job(store: InventoryStore, configuration: InventoryConfiguration, logger: Logger) -> PeriodicJob {
        PeriodicJob("reservation expiry", every: configuration.expirySweepInterval, start: .immediately, logger: logger) {
            var total = 0
            while true {
                let expired = try await store.expireDue(limit: configuration.expirySweepBatch)
                total += expired
                if expired < configuration.expirySweepBatch { break }
            }
            if total > 0 { logger.info("expired reservations", metadata: ["count": "\(total)"]) }
        }
    }
}
