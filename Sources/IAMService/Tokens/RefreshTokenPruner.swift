import Foundation
import Logging
import ServiceLifecycle

/// Deletes refresh-token families whose newest token expired, at start and then every `interval`, so the
/// table does not grow with every session ever opened.
struct RefreshTokenPruner: Service {
    let store: IAMStore
    let logger: Logger
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try await store.pruneRefreshTokens(expiredBefore: Date())
                    if pruned > 0 { logger.info("pruned expired refresh-token sessions", metadata: ["sessions": "\(pruned)"]) }
                } catch {
                    logger.warning("pruning refresh tokens failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
