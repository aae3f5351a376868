import Logging

extension Idempotency {
    /// The background job that deletes keys past their retention: once at start, then every
    /// `settings.pruneInterval`, sleeping in between (no polling, no CPU while idle).
    public func pruningJob(logger: Logger) -> PeriodicJob {
        PeriodicJob("idempotency-key pruning", every: settings.pruneInterval, start: .immediately, logger: logger) {
            let pruned = try await self.prune()
            if pruned > 0 { logger.info("pruned expired idempotency keys", metadata: ["keys": "\(pruned)"]) }
        }
    }
}
