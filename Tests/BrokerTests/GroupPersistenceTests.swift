import Foundation
import Testing
@testable import Broker

/// Groups survive a broker restart as Kafka's do (issue 19): the generation and members are stored with
/// the committed offsets, so members within their session timeout carry on without a rebalance.
extension GroupCoordinatorTests {
    /// A coordinator storing its groups in `store`; `stored` (if given) hears of each record once it is on disk.
    func storedCoordinator(_ store: OffsetStore, clock: ManualClock,
                           stored: AsyncStream<GroupRecord>.Continuation? = nil) -> GC {
        GC(knownGroups: store.groups, restored: store.restoredGroups,
           persist: { record, done in
               store.store(record) { _ in
                   done()
                   stored?.yield(record)
               }
           }, clock: clock.function)
    }

    /// Two members complete generation 2; the broker restarts (a new store and coordinator over the same
    /// file); both carry on with generation 2 and their assignments; one that never comes back expires
    /// after its session and only then does the group rebalance.
    @Test func aStableGroupCarriesOnAfterARestartWithoutARebalance() async throws {
        let dir = NSTemporaryDirectory() + "/groups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock()
        let (aId, bId): (String, String)
        do {
            let store = try OffsetStore(directory: dir)
            let coordinator = storedCoordinator(store, clock: clock)
            let a = try await joinAlone(coordinator, client: "a")
            _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [a.memberId: [1]])
            let b0 = await coordinator.join(request(client: "b")).memberId
            async let bJoin = coordinator.join(request(member: b0, client: "b"))
            try await waitFor(coordinator, .preparingRebalance)
            _ = await coordinator.join(request(member: a.memberId, client: "a"))
            #expect(await bJoin.generation == 2)
            async let bSync = coordinator.sync(groupId: "g", generation: 2, memberId: b0, assignments: [:])
            try await waitFor(coordinator, .completingRebalance)
            _ = await coordinator.sync(groupId: "g", generation: 2, memberId: a.memberId,
                                       assignments: [a.memberId: [0xA], b0: [0xB]])
            // SyncGroup is answered only once the generation is on disk.
            #expect(await bSync.assignment == [0xB])
            (aId, bId) = (a.memberId, b0)
        }

        let store = try OffsetStore(directory: dir)
        #expect(store.restoredGroups.map(\.generation) == [2])
        let restarted = storedCoordinator(store, clock: clock)
        let description = try #require(await restarted.describe(groupId: "g"))
        #expect(description.state == .stable && description.protocolName == "range")
        #expect(description.members.map(\.memberId) == [aId, bId])
        #expect(description.members.map(\.assignment) == [[0xA], [0xB]])
        #expect(await restarted.heartbeat(groupId: "g", generation: 2, memberId: aId) == .none)
        #expect(await restarted.heartbeat(groupId: "g", generation: 2, memberId: bId) == .none)
        #expect(await restarted.validateCommit(groupId: "g", generation: 2, memberId: aId) == .none)
        #expect(await restarted.sync(groupId: "g", generation: 2, memberId: bId, assignments: [:]).assignment == [0xB])

        // b stops heartbeating: its session (10 s) ends, and a is told to rejoin.
        clock.advance(6_000)
        #expect(await restarted.heartbeat(groupId: "g", generation: 2, memberId: aId) == .none)
        clock.advance(6_000)
        await restarted.tick()
        #expect(await restarted.heartbeat(groupId: "g", generation: 2, memberId: aId) == .rebalanceInProgress)
        #expect(await restarted.heartbeat(groupId: "g", generation: 2, memberId: bId) == .unknownMemberId)
    }

    /// A group that emptied is stored as empty, and its next generation continues from the old one (a
    /// member of an older generation can never be mistaken for a current one).
    @Test func anEmptiedGroupKeepsItsGenerationAcrossRestarts() async throws {
        let dir = NSTemporaryDirectory() + "/groups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock()
        do {
            let store = try OffsetStore(directory: dir)
            let (records, stored) = AsyncStream<GroupRecord>.makeStream()
            let coordinator = storedCoordinator(store, clock: clock, stored: stored)
            let a = try await joinAlone(coordinator, client: "a")
            _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
            #expect(await coordinator.leave(groupId: "g", memberIds: [a.memberId]) == [.none])
            // The emptied record is written after LeaveGroup is answered: wait until it is on disk.
            for await record in records where record.members.isEmpty { break }
        }
        let store = try OffsetStore(directory: dir)
        #expect(store.restoredGroups.map(\.generation) == [2])
        let restarted = storedCoordinator(store, clock: clock)
        #expect(await restarted.describe(groupId: "g")?.state == .empty)
        #expect(await restarted.list().map(\.groupId) == ["g"])
        let again = try await joinAlone(restarted, client: "c")
        #expect(again.generation == 3)
    }
}
