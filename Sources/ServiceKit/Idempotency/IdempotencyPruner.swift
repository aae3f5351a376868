import Logging
import ServiceLifecycle

/// Deletes idempotency keys past their retention at start and then every `settings.pruneInterval`.
/// Between runs it sleeps (no timer polling, no CPU); graceful shutdown or cancellation ends the sleep.
public struct IdempotencyPruner: Service {
    let idempotency: Idempotency
    let logger: Logger

    public init(idempotency: Idempotency, logger: Logger) {
        self.idempotency = idempotency
        self.logger = logger
    }

    public func run() async throws {
        let interval = idempotency.settings.pruneInterval
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try await idempotency.prune()
                    if pruned > 0 { logger.info("pruned expired idempotency keys", metadata: ["keys": "\(pruned)"]) }
                } catch {
                    logger.warning("pruning idempotency keys failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
