import Synchronization

/// One partition of one topic, as the append signal tracks it.
public struct PartitionKey: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}

/// Wakes long-polling fetches when one of *their* partitions is appended to. A fetch reads the
/// generation, checks for data, and if there is too little waits until one of its partitions is
/// appended to after that generation, or its deadline, whichever comes first. An append to another
/// partition wakes nobody: with 1,000 consumers parked on 1,000 partitions, an append costs one
/// wake-up, not 1,000.
public final class AppendSignal: Sendable {
    private struct Parked {
        var continuation: CheckedContinuation<Void, Never>
        var partitions: [PartitionKey]
    }

    private struct State {
        /// Bumped by every notify; a fetch's snapshot of it says which appends it has already seen.
        var generation: UInt64 = 0
        /// The generation of the latest notify that named each partition.
        var lastAppend: [PartitionKey: UInt64] = [:]
        var parked: [UInt64: Parked] = [:]
        var parkedByPartition: [PartitionKey: Set<UInt64>] = [:]
        var nextWaiter: UInt64 = 0
        /// Waiters whose timeout fired before they parked: they must not park at all.
        var expired: Set<UInt64> = []
        /// Parked waiters resumed by a notify (not by their timeout), for tests and metrics.
        var wakeUps = 0

        mutating func unpark(_ id: UInt64) -> CheckedContinuation<Void, Never>? {
            guard let waiter = parked.removeValue(forKey: id) else { return nil }
            for partition in waiter.partitions {
                parkedByPartition[partition]?.remove(id)
                if parkedByPartition[partition]?.isEmpty == true { parkedByPartition[partition] = nil }
            }
            return waiter.continuation
        }

        func appended(after generation: UInt64, to partitions: [PartitionKey]) -> Bool {
            partitions.contains { (lastAppend[$0] ?? 0) > generation }
        }
    }

    private let state = Mutex(State())

    public init() {}

    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Waiters resumed by `notify` so far.
    public var wakeUps: Int { state.withLock { $0.wakeUps } }

    /// Waiters parked now.
    public var parkedCount: Int { state.withLock { $0.parked.count } }

    /// Records appends to `partitions` and wakes the fetches parked on any of them.
    public func notify(_ partitions: some Sequence<PartitionKey>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            var woken: [CheckedContinuation<Void, Never>] = []
            for partition in partitions {
                state.lastAppend[partition] = state.generation
                guard let ids = state.parkedByPartition[partition] else { continue }
                for id in ids {
                    if let continuation = state.unpark(id) { woken.append(continuation) }
                }
            }
            state.wakeUps += woken.count
            return woken
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Forgets a deleted topic's partitions and wakes the fetches parked on them, which then answer
    /// UNKNOWN_TOPIC_OR_PARTITION instead of waiting out their max_wait.
    public func forget(topic: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            state.lastAppend = state.lastAppend.filter { $0.key.topic != topic }
            let ids = state.parkedByPartition.filter { $0.key.topic == topic }.flatMap(\.value)
            let woken = ids.compactMap { state.unpark($0) }
            state.wakeUps += woken.count
            return woken
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when one of `partitions` is appended to after `generation`, or after `timeout`.
    public func wait(after generation: UInt64, on partitions: [PartitionKey], timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.expired.remove(id) != nil || state.appended(after: generation, to: partitions) { return true }
                        state.parked[id] = Parked(continuation: continuation, partitions: partitions)
                        for partition in partitions { state.parkedByPartition[partition, default: []].insert(id) }
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return }  // woken by an append first
                // Time is up: release our waiter if it is parked, or stop it from parking.
                let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    if let waiter = state.unpark(id) { return waiter }
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
