import Synchronization

/// Wakes long-polling fetches when anything is appended: a generation counter plus parked waiters.
/// A fetch reads the generation, checks for data, and if there is too little waits for a newer
/// generation or its deadline, whichever comes first.
public final class AppendSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        /// Waiters whose timeout fired before they parked: they must not park at all.
        var expired: Set<UInt64> = []
    }

    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    public func notify() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the generation moves past `generation` or after `timeout`.
    public func wait(after generation: UInt64, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.generation != generation || state.expired.remove(id) != nil { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return }  // woken by an append first
                // Time is up: release our waiter if it is parked, or stop it from parking.
                let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                    state.expired.insert(id)
                    return nil
                }
                waiter?.resume()
            }
            await group.next()
            group.cancelAll()
        }
        // Both children are done: a timeout that raced a notify may have left the id marked expired.
        _ = state.withLock { $0.expired.remove(id) }
    }
}
