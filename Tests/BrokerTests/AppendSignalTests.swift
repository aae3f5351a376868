import Testing
@testable import Broker

@Suite struct AppendSignalTests {
    /// Waits (bounded by a generous wall time, never the thing under test) until `count` waiters are parked.
    func waitUntilParked(_ signal: AppendSignal, _ count: Int) async {
        let deadline = ContinuousClock.now + .seconds(60)
        while signal.parkedCount < count, ContinuousClock.now < deadline { await Task.yield() }
        #expect(signal.parkedCount == count)
    }

    @Test func anAppendWakesOnlyTheFetchesParkedOnItsPartition() async {
        let signal = AppendSignal()
        let watched = PartitionKey(topic: "t", partition: 0)
        let other = PartitionKey(topic: "t", partition: 1)
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask { await signal.wait(after: generation, on: [watched], timeout: .seconds(600)) }
            }
            await waitUntilParked(signal, 100)
            // Appends elsewhere (another partition, another topic) wake no one.
            for _ in 0..<50 { signal.notify([other, PartitionKey(topic: "u", partition: 0)]) }
            #expect(signal.wakeUps == 0)
            #expect(signal.parkedCount == 100)
            signal.notify([watched])
            await group.waitForAll()
        }
        #expect(signal.wakeUps == 100)
        #expect(signal.parkedCount == 0)
    }

    @Test func aFetchOnSeveralPartitionsWakesOnceForAnyOfThem() async {
        let signal = AppendSignal()
        let partitions = (0..<3).map { PartitionKey(topic: "t", partition: $0) }
        let generation = signal.generation
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signal.wait(after: generation, on: partitions, timeout: .seconds(600)) }
            await waitUntilParked(signal, 1)
            signal.notify([partitions[2], partitions[1]])
            await group.waitForAll()
        }
        #expect(signal.wakeUps == 1)
        // A second notify finds nobody left on the other partitions.
        signal.notify(partitions)
        #expect(signal.wakeUps == 1)
    }

    @Test func anAppendBetweenTheSnapshotAndTheParkIsNotMissed() async {
        let signal = AppendSignal()
        let watched = PartitionKey(topic: "t", partition: 0)
        let generation = signal.generation
        signal.notify([watched])  // after the fetch looked, before it parks
        await signal.wait(after: generation, on: [watched], timeout: .seconds(600))
        #expect(signal.parkedCount == 0)
    }

    @Test func anAppendElsewhereBeforeTheParkDoesNotEndTheWait() async {
        let signal = AppendSignal()
        let generation = signal.generation
        signal.notify([PartitionKey(topic: "t", partition: 1)])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await signal.wait(after: generation, on: [PartitionKey(topic: "t", partition: 0)], timeout: .seconds(600)) }
            await waitUntilParked(signal, 1)
            signal.forget(topic: "t")  // deleting the topic releases its fetches
            await group.waitForAll()
        }
        #expect(signal.wakeUps == 1)
    }

    @Test func theTimeoutReleasesAParkedFetch() async {
        let signal = AppendSignal()
        await signal.wait(after: signal.generation, on: [PartitionKey(topic: "t", partition: 0)], timeout: .milliseconds(10))
        #expect(signal.parkedCount == 0)
        #expect(signal.wakeUps == 0)
    }
}
