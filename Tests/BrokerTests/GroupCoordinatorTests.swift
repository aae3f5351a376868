import Synchronization
import Testing
@testable import Broker

final class ManualClock: Sendable {
    private let now = Atomic<Int64>(1_000_000)
    func advance(_ milliseconds: Int64) { now.add(milliseconds, ordering: .relaxed) }
    var function: @Sendable () -> Int64 { { [self] in now.load(ordering: .relaxed) } }
}

@Suite struct GroupCoordinatorTests {
    typealias GC = GroupCoordinator

    func request(group: String = "g", member: String = "", client: String = "c", session: Int32 = 10_000,
                 rebalance: Int32 = 5_000, protocols: [String] = ["range", "roundrobin"], kip394: Bool = true) -> GC.JoinRequest {
        GC.JoinRequest(groupId: group, memberId: member, clientId: client, clientHost: "/127.0.0.1", sessionTimeoutMs: session,
                       rebalanceTimeoutMs: rebalance, protocolType: "consumer",
                       protocols: protocols.map { GC.GroupProtocol(name: $0, metadata: Array($0.utf8)) },
                       requiresKnownMemberId: kip394)
    }

    /// Waits (bounded) until the group reaches `state`: the event the next step depends on.
    func waitFor(_ coordinator: GC, _ state: GC.State, group: String = "g") async throws {
        for _ in 0..<10_000 {
            if await coordinator.describe(groupId: group)?.state == state { return }
            await Task.yield()
        }
        Issue.record("group never reached \(state)")
    }

    /// KIP-394 then a one-member generation: the member is leader and sees itself.
    func joinAlone(_ coordinator: GC, client: String = "c") async throws -> GC.JoinResult {
        let first = await coordinator.join(request(client: client))
        #expect(first.error == .memberIdRequired)
        #expect(first.memberId.hasPrefix(client + "-"))
        return await coordinator.join(request(member: first.memberId, client: client))
    }

    @Test func singleMemberJoinsSyncsAndHeartbeats() async throws {
        let coordinator = GC()
        let joined = try await joinAlone(coordinator)
        #expect(joined.error == .none && joined.generation == 1 && joined.leader == joined.memberId)
        #expect(joined.protocolName == "range")
        #expect(joined.members.map(\.memberId) == [joined.memberId])
        let synced = await coordinator.sync(groupId: "g", generation: 1, memberId: joined.memberId, assignments: [joined.memberId: [1, 2]])
        #expect(synced == GC.SyncResult(error: .none, protocolType: "consumer", protocolName: "range", assignment: [1, 2]))
        #expect(await coordinator.heartbeat(groupId: "g", generation: 1, memberId: joined.memberId) == .none)
        #expect(await coordinator.heartbeat(groupId: "g", generation: 0, memberId: joined.memberId) == .illegalGeneration)
        #expect(await coordinator.heartbeat(groupId: "g", generation: 1, memberId: "nobody") == .unknownMemberId)
        #expect(await coordinator.describe(groupId: "g")?.state == .stable)
    }

    @Test func secondMemberTriggersARebalanceAndGetsItsAssignment() async throws {
        let coordinator = GC()
        let a = try await joinAlone(coordinator, client: "a")
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        let bId = await coordinator.join(request(client: "b")).memberId
        async let bJoin = coordinator.join(request(member: bId, client: "b"))
        try await waitFor(coordinator, .preparingRebalance)
        #expect(await coordinator.heartbeat(groupId: "g", generation: 1, memberId: a.memberId) == .rebalanceInProgress)
        let aJoin = await coordinator.join(request(member: a.memberId, client: "a"))
        let b = await bJoin
        #expect(aJoin.generation == 2 && b.generation == 2)
        #expect(aJoin.leader == a.memberId && b.leader == a.memberId)
        #expect(Set(aJoin.members.map(\.memberId)) == [a.memberId, bId])
        #expect(b.members.isEmpty)  // only the leader sees the members
        async let bSync = coordinator.sync(groupId: "g", generation: 2, memberId: bId, assignments: [:])
        try await waitFor(coordinator, .completingRebalance)
        let aSync = await coordinator.sync(groupId: "g", generation: 2, memberId: a.memberId,
                                           assignments: [a.memberId: [0xA], bId: [0xB]])
        #expect(aSync.assignment == [0xA])
        #expect(await bSync.assignment == [0xB])
        #expect(await coordinator.describe(groupId: "g")?.state == .stable)
    }

    @Test func expiredSessionRemovesTheMemberAndRebalances() async throws {
        let clock = ManualClock()
        let coordinator = GC(clock: clock.function)
        let a = try await joinAlone(coordinator, client: "a")
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        clock.advance(10_001)
        await coordinator.tick()
        let description = await coordinator.describe(groupId: "g")
        #expect(description?.state == .empty && description?.members.isEmpty == true)
        #expect(await coordinator.heartbeat(groupId: "g", generation: 1, memberId: a.memberId) == .unknownMemberId)
    }

    @Test func membersThatDoNotRejoinBeforeTheRebalanceTimeoutAreDropped() async throws {
        let clock = ManualClock()
        let coordinator = GC(clock: clock.function)
        let a = try await joinAlone(coordinator, client: "a")
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        let cId = await coordinator.join(request(client: "c")).memberId
        async let cJoin = coordinator.join(request(member: cId, client: "c"))
        try await waitFor(coordinator, .preparingRebalance)
        // a never rejoins (it is stuck); the rebalance timeout (5 s) ends the join phase without it.
        clock.advance(5_001)
        await coordinator.tick()
        let c = await cJoin
        #expect(c.error == .none && c.generation == 2 && c.leader == cId)
        #expect(c.members.map(\.memberId) == [cId])
        #expect(await coordinator.heartbeat(groupId: "g", generation: 1, memberId: a.memberId) == .unknownMemberId)
    }

    @Test func leaveGroupRebalancesTheRest() async throws {
        let coordinator = GC()
        let a = try await joinAlone(coordinator, client: "a")
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        #expect(await coordinator.leave(groupId: "g", memberIds: [a.memberId, "ghost"]) == [.none, .unknownMemberId])
        #expect(await coordinator.describe(groupId: "g")?.state == .empty)
        #expect(await coordinator.leave(groupId: "nope", memberIds: ["x"]) == [.unknownMemberId])
    }

    @Test func joinErrors() async throws {
        let coordinator = GC()
        #expect(await coordinator.join(request(session: 1000)).error == .invalidSessionTimeout)
        #expect(await coordinator.join(request(member: "made-up")).error == .unknownMemberId)
        #expect(await coordinator.join(request(group: "")).error == .invalidGroupId)
        let a = try await joinAlone(coordinator, client: "a")
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        var other = request(client: "b", protocols: ["cooperative-sticky"])
        other.memberId = await coordinator.join(other).memberId
        #expect(await coordinator.join(other).error == .inconsistentGroupProtocol)
    }

    @Test func preKIP394JoinAddsTheMemberDirectly() async throws {
        let coordinator = GC()
        let joined = await coordinator.join(request(kip394: false))
        #expect(joined.error == .none && joined.generation == 1 && !joined.memberId.isEmpty)
    }

    @Test func protocolVoteAndCommitRules() async throws {
        #expect(GC.electProtocol([[.init(name: "a", metadata: []), .init(name: "b", metadata: [])],
                                  [.init(name: "b", metadata: []), .init(name: "a", metadata: [])],
                                  [.init(name: "b", metadata: [])]]) == "b")
        let coordinator = GC()
        #expect(await coordinator.validateCommit(groupId: "simple", generation: -1, memberId: "") == .none)
        let a = try await joinAlone(coordinator, client: "a")
        #expect(await coordinator.validateCommit(groupId: "g", generation: 1, memberId: a.memberId) == .rebalanceInProgress)
        _ = await coordinator.sync(groupId: "g", generation: 1, memberId: a.memberId, assignments: [:])
        #expect(await coordinator.validateCommit(groupId: "g", generation: 1, memberId: a.memberId) == .none)
        #expect(await coordinator.validateCommit(groupId: "g", generation: 0, memberId: a.memberId) == .illegalGeneration)
        #expect(await coordinator.validateCommit(groupId: "g", generation: 1, memberId: "x") == .unknownMemberId)
        #expect(await coordinator.validateCommit(groupId: "g", generation: -1, memberId: "") == .unknownMemberId)
    }
}
