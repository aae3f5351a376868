import Logging
import ServiceKit
import ServiceLifecycle

/// Deletes expired instances every `interval` until graceful shutdown. Reads already hide expired
/// instances; the sweep keeps the table from growing with dead ones.
struct ExpirySweeper: Service {
    let registry: Registry
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                do {
                    let removed = try await registry.sweep()
                    if removed > 0 { logger.info("expired instances removed", metadata: ["count": "\(removed)"]) }
                } catch {
                    logger.warning("expiry sweep failed; retrying at the next one", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
