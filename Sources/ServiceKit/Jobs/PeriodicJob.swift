import Logging
import ServiceLifecycle

/// A background job run every `interval` until graceful shutdown (pruning, expiry sweeps). Between runs
/// it sleeps, so an idle service spends no CPU on it; a failing run is logged and tried again at the
/// next one, never ends the service.
public struct PeriodicJob: Service {
    public enum Start: Sendable {
        /// Run once as the service starts, then every interval.
        case immediately
        /// First run one interval after start.
        case afterInterval
    }

    let name: String
    let interval: Duration
    let start: Start
    let logger: Logger
    let work: @Sendable () async throws -> Void

    /// - Parameters:
    ///   - name: for the log ("refresh-token pruning").
    ///   - work: one run; throwing logs a warning.
    public init(_ name: String, every interval: Duration, start: Start = .afterInterval, logger: Logger,
                work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.start = start
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            if start == .afterInterval { try await Task.sleep(for: interval) }
            while !Task.isCancelled {
                do {
                    try await work()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("\(name) failed; trying again at the next run",
                                   metadata: ["error": "\(error)", "interval": "\(interval)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
