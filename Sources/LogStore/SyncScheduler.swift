import Foundation

/// Dedicated threads that run fsyncs, so that no caller's thread (an event loop, the cooperative
/// pool) ever blocks in the kernel waiting for the disk.
///
/// A log is queued at most once at a time (it keeps a `scheduled` flag); each turn syncs everything it
/// has appended so far, which serves every waiter that arrived before the turn began. Waiters that
/// arrive during the fsync re-queue the log and share the next one: group commit.
public final class SyncScheduler: Sendable {
    /// The process-wide scheduler used when a log is not given its own.
    public static let shared = SyncScheduler(threads: 1, name: "logstore-sync")

    private struct State {
        var queue: [@Sendable () -> Void] = []
        var head = 0
    }

    /// NSCondition is documented thread-safe; `state` is only touched while holding it.
    private let condition = NSCondition()
    nonisolated(unsafe) private var state = State()

    public init(threads: Int = 1, name: String = "logstore-sync") {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.run() }
            thread.name = threads > 1 ? "\(name)-\(index)" : name
            thread.start()
        }
    }

    func enqueue(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        state.queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while state.head == state.queue.count { condition.wait() }
            let work = state.queue[state.head]
            state.head += 1
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
            }
            condition.unlock()
            work()
        }
    }
}
