import Foundation
import Synchronization

/// Waits for a child process to exit without blocking a thread of Swift's cooperative pool (which has
/// as many threads as cores: two here, shared by every suite running in parallel). Foundation's
/// `waitUntilExit` spins a run loop on the calling thread; this resumes the waiters from the process's
/// termination handler instead.
public final class ProcessExit: Sendable {
    private struct State {
        var exited = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        var givenUp: Set<UUID> = []
    }

    private let state = Mutex(State())

    /// Installs the termination handler; call before `process.run()`.
    public init(watching process: Process) {
        process.terminationHandler = { [weak self] _ in self?.markExited() }
    }

    public var hasExited: Bool { state.withLock { $0.exited } }

    private func markExited() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.exited = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Until the process has exited.
    public func wait() async {
        await park(UUID())
    }

    /// Whether the process exited within `limit`.
    public func wait(within limit: Duration) async -> Bool {
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: limit)
            self.giveUp(id)
        }
        await park(id)
        timer.cancel()
        return hasExited
    }

    private func park(_ id: UUID) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.exited || state.givenUp.remove(id) != nil { return true }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Ends one bounded wait without an exit; remembered when that waiter has not parked yet.
    private func giveUp(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            if !state.exited { state.givenUp.insert(id) }
            return nil
        }
        waiter?.resume()
    }

    /// For synchronous callers (a `defer`): blocks the calling thread at most `limit`. Only for the short
    /// wait after SIGKILL; graceful stops wait asynchronously.
    public func blockingWait(within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now + limit
        while !hasExited, ContinuousClock.now < deadline { usleep(1_000) }
        return hasExited
    }

    /// SIGTERM now; on a thread of its own (not the cooperative pool) wait up to `grace`, SIGKILL if still
    /// running, then run `afterExit` (removing a data directory). Returns at once: for `defer` clean-ups.
    public static func terminateInBackground(_ process: Process, exit: ProcessExit, grace: Duration,
                                             afterExit: @escaping @Sendable () -> Void = {}) {
        guard process.isRunning, !exit.hasExited else { afterExit(); return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        Thread.detachNewThread {
            if !exit.blockingWait(within: grace) {
                kill(pid, SIGKILL)
                _ = exit.blockingWait(within: .seconds(5))
            }
            afterExit()
        }
    }
}
