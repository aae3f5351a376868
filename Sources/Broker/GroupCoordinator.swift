import Foundation

/// Kafka's classic group protocol (KAFKA-WIRE.md §5): Empty → PreparingRebalance →
/// CompletingRebalance → Stable, with KIP-394 member ids, rebalance and session timeouts, and the
/// leader's assignment handed to every member. Protocol metadata and assignments are opaque bytes.
///
/// An actor: every group change is serialised; JoinGroup and SyncGroup requests park on continuations
/// until the phase they wait for completes. `tick()` drives the timers (a broker task calls it).
///
/// Groups survive a restart as Kafka's do: when a rebalance completes (the leader's SyncGroup), the
/// group's generation and members are stored (`GroupRecord`, through `persist`) before any member's
/// SyncGroup is answered, and a group that empties is stored too. At start-up stored groups come back
/// Stable with fresh sessions: members that heartbeat within their session timeout keep their generation
/// and assignment; the others expire and the group rebalances then.
public actor GroupCoordinator {
    public enum State: String, Sendable {
        case empty = "Empty"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case stable = "Stable"
        case dead = "Dead"
    }

    /// Kafka error codes this coordinator answers with.
    public enum Code: Int16, Sendable {
        case none = 0
        case illegalGeneration = 22
        case inconsistentGroupProtocol = 23
        case unknownMemberId = 25
        case invalidSessionTimeout = 26
        case rebalanceInProgress = 27
        case memberIdRequired = 79
        case invalidGroupId = 24
        case nonEmptyGroup = 68
        case groupIdNotFound = 69
    }

    public struct GroupProtocol: Sendable, Equatable {
        public var name: String
        public var metadata: [UInt8]
        public init(name: String, metadata: [UInt8]) { self.name = name; self.metadata = metadata }
    }

    public struct JoinRequest: Sendable {
        public var groupId: String
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var sessionTimeoutMs: Int32
        /// -1 (v0) means the session timeout.
        public var rebalanceTimeoutMs: Int32
        public var protocolType: String
        public var protocols: [GroupProtocol]
        /// KIP-394 applies from JoinGroup v4.
        public var requiresKnownMemberId: Bool

        public init(groupId: String, memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
                    sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32, protocolType: String, protocols: [GroupProtocol],
                    requiresKnownMemberId: Bool) {
            self.groupId = groupId
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.sessionTimeoutMs = sessionTimeoutMs
            self.rebalanceTimeoutMs = rebalanceTimeoutMs
            self.protocolType = protocolType
            self.protocols = protocols
            self.requiresKnownMemberId = requiresKnownMemberId
        }
    }

    public struct JoinMember: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: [UInt8]
    }

    public struct JoinResult: Sendable, Equatable {
        public var error: Code
        public var generation: Int32
        public var protocolType: String?
        public var protocolName: String?
        public var leader: String
        public var memberId: String
        /// Only the leader receives the members and their metadata.
        public var members: [JoinMember]

        static func failure(_ error: Code, memberId: String = "") -> JoinResult {
            JoinResult(error: error, generation: -1, protocolType: nil, protocolName: nil, leader: "", memberId: memberId, members: [])
        }
    }

    public struct SyncResult: Sendable, Equatable {
        public var error: Code
        public var protocolType: String?
        public var protocolName: String?
        public var assignment: [UInt8]
    }

    public struct MemberDescription: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var metadata: [UInt8]
        public var assignment: [UInt8]
    }

    public struct GroupDescription: Sendable, Equatable {
        public var groupId: String
        public var state: State
        public var protocolType: String
        public var protocolName: String
        public var members: [MemberDescription]
    }

    public struct Settings: Sendable {
        public var minSessionTimeoutMs: Int32 = 6000
        public var maxSessionTimeoutMs: Int32 = 1_800_000
        /// Kafka's group.initial.rebalance.delay.ms; 0 completes a first join as soon as all known members joined.
        public var initialRebalanceDelayMs: Int64 = 0
        public init() {}
    }

    private struct Member {
        var id: String
        var groupInstanceId: String?
        var clientId: String
        var clientHost: String
        var sessionTimeoutMs: Int64
        var rebalanceTimeoutMs: Int64
        var protocolType: String
        var protocols: [GroupProtocol]
        var assignment: [UInt8] = []
        var joinWaiter: CheckedContinuation<JoinResult, Never>?
        var syncWaiter: CheckedContinuation<SyncResult, Never>?
        var lastSeen: Int64
    }

    private struct Group {
        var id: String
        var state: State = .empty
        var generation: Int32 = 0
        var protocolType: String?
        var protocolName: String?
        var leader: String?
        /// Join order: the first member becomes leader when there is none.
        var order: [String] = []
        var members: [String: Member] = [:]
        /// KIP-394: ids handed out with MEMBER_ID_REQUIRED, with their expiry.
        var pending: [String: Int64] = [:]
        var rebalanceDeadline: Int64 = 0
    }

    /// Stores a group record durably, then calls its completion (`OffsetStore.store`), in call order.
    public typealias Persist = @Sendable (GroupRecord, @escaping @Sendable () -> Void) -> Void

    private var groups: [String: Group] = [:]
    private let settings: Settings
    private let clock: @Sendable () -> Int64
    private let persist: Persist?

    public init(settings: Settings = Settings(), knownGroups: [String] = [], restored: [GroupRecord] = [],
                persist: Persist? = nil,
                clock: @escaping @Sendable () -> Int64 = GroupCoordinator.monotonicMilliseconds) {
        self.settings = settings
        self.clock = clock
        self.persist = persist
        for id in knownGroups { groups[id] = Group(id: id) }
        let now = clock()
        for record in restored { groups[record.groupId] = Self.restore(record, now: now) }
    }

    /// A stored group as it was after its last completed rebalance; every session restarts now.
    private static func restore(_ record: GroupRecord, now: Int64) -> Group {
        var group = Group(id: record.groupId)
        group.generation = record.generation
        group.protocolType = record.protocolType
        guard !record.members.isEmpty, let protocolName = record.protocolName else { return group }
        group.state = .stable
        group.protocolName = protocolName
        group.leader = record.leader ?? record.members.first?.memberId
        for stored in record.members {
            group.order.append(stored.memberId)
            group.members[stored.memberId] = Member(
                id: stored.memberId, groupInstanceId: stored.groupInstanceId, clientId: stored.clientId,
                clientHost: stored.clientHost, sessionTimeoutMs: stored.sessionTimeoutMs,
                rebalanceTimeoutMs: stored.rebalanceTimeoutMs, protocolType: record.protocolType ?? "",
                protocols: [GroupProtocol(name: protocolName, metadata: Array(stored.metadata))],
                assignment: Array(stored.assignment), lastSeen: now)
        }
        return group
    }

    private static func record(of group: Group) -> GroupRecord {
        GroupRecord(
            groupId: group.id, generation: group.generation, protocolType: group.protocolType,
            protocolName: group.protocolName, leader: group.leader,
            members: group.order.compactMap { id in
                guard let member = group.members[id] else { return nil }
                return GroupRecord.Member(
                    memberId: id, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                    clientHost: member.clientHost, sessionTimeoutMs: member.sessionTimeoutMs,
                    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
                    metadata: Data(member.protocols.first { $0.name == group.protocolName }?.metadata ?? []),
                    assignment: Data(member.assignment))
            })
    }

    /// Stores a group that has just emptied: its generation must not go back after a restart.
    private func persistEmptied(_ group: Group) {
        persist?(Self.record(of: group), {})
    }

    public static let monotonicMilliseconds: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    // MARK: JoinGroup

    public func join(_ request: JoinRequest) async -> JoinResult {
        guard !request.groupId.isEmpty else { return .failure(.invalidGroupId, memberId: request.memberId) }
        guard request.sessionTimeoutMs >= settings.minSessionTimeoutMs, request.sessionTimeoutMs <= settings.maxSessionTimeoutMs else {
            return .failure(.invalidSessionTimeout, memberId: request.memberId)
        }
        let now = clock()
        var group = groups[request.groupId] ?? Group(id: request.groupId)
        if group.state != .empty, let type = group.protocolType, type != request.protocolType {
            return .failure(.inconsistentGroupProtocol, memberId: request.memberId)
        }
        // A known member replacing its own protocols is judged against the others only.
        let others = group.members.values.filter { $0.id != request.memberId }.map(\.protocols)
        if request.protocols.isEmpty || (!others.isEmpty && Self.commonProtocols(others + [request.protocols]).isEmpty) {
            return .failure(.inconsistentGroupProtocol, memberId: request.memberId)
        }

        var memberId = request.memberId
        if memberId.isEmpty {
            memberId = request.clientId + "-" + UUID().uuidString.lowercased()
            if request.requiresKnownMemberId {
                group.pending[memberId] = now + Int64(request.sessionTimeoutMs)
                groups[request.groupId] = group
                return .failure(.memberIdRequired, memberId: memberId)
            }
        } else if group.members[memberId] == nil {
            guard group.pending.removeValue(forKey: memberId) != nil else {
                return .failure(.unknownMemberId, memberId: memberId)
            }
        }

        let rebalanceTimeout = Int64(request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs)
        let existing = group.members[memberId]
        var member = existing ?? Member(
            id: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId, clientHost: request.clientHost,
            sessionTimeoutMs: Int64(request.sessionTimeoutMs), rebalanceTimeoutMs: rebalanceTimeout,
            protocolType: request.protocolType, protocols: request.protocols, lastSeen: now)
        let metadataChanged = existing.map { $0.protocols != request.protocols } ?? true
        member.protocols = request.protocols
        member.sessionTimeoutMs = Int64(request.sessionTimeoutMs)
        member.rebalanceTimeoutMs = rebalanceTimeout
        member.lastSeen = now
        if existing == nil { group.order.append(memberId) }
        if group.protocolType == nil || group.members.isEmpty { group.protocolType = request.protocolType }

        // A follower rejoining unchanged while nothing is being decided gets the current generation.
        if existing != nil, !metadataChanged, group.leader != memberId,
           group.state == .stable || group.state == .completingRebalance {
            group.members[memberId] = member
            groups[request.groupId] = group
            return currentGenerationResult(group, for: memberId)
        }

        if let previous = member.joinWaiter {
            previous.resume(returning: .failure(.rebalanceInProgress, memberId: memberId))
            member.joinWaiter = nil
        }
        group.members[memberId] = member
        if group.state != .preparingRebalance {
            let delay = group.state == .empty ? settings.initialRebalanceDelayMs : 0
            prepareRebalance(&group, now: now, extraDelay: delay)
        }
        groups[request.groupId] = group
        return await withCheckedContinuation { continuation in
            groups[request.groupId]?.members[memberId]?.joinWaiter = continuation
            tryCompleteJoin(request.groupId, now: clock())
        }
    }

    private func currentGenerationResult(_ group: Group, for memberId: String) -> JoinResult {
        let isLeader = group.leader == memberId
        return JoinResult(
            error: .none, generation: group.generation, protocolType: group.protocolType, protocolName: group.protocolName,
            leader: group.leader ?? "", memberId: memberId,
            members: isLeader ? memberList(group) : [])
    }

    private func memberList(_ group: Group) -> [JoinMember] {
        group.order.compactMap { id in
            guard let member = group.members[id] else { return nil }
            let metadata = member.protocols.first { $0.name == group.protocolName }?.metadata ?? []
            return JoinMember(memberId: id, groupInstanceId: member.groupInstanceId, metadata: metadata)
        }
    }

    private func prepareRebalance(_ group: inout Group, now: Int64, extraDelay: Int64 = 0) {
        if group.state == .completingRebalance {
            for id in group.order {
                if let waiter = group.members[id]?.syncWaiter {
                    waiter.resume(returning: SyncResult(error: .rebalanceInProgress, protocolType: nil, protocolName: nil, assignment: []))
                    group.members[id]?.syncWaiter = nil
                }
            }
        }
        group.state = .preparingRebalance
        let timeout = group.members.values.map(\.rebalanceTimeoutMs).max() ?? 0
        group.rebalanceDeadline = now + max(timeout, extraDelay)
        initialDelayUntil[group.id] = extraDelay > 0 ? now + extraDelay : nil
    }

    /// Groups still inside group.initial.rebalance.delay.ms: their join phase waits for it.
    private var initialDelayUntil: [String: Int64] = [:]

    /// Completes the join phase when every member has rejoined (or, with `force`, at the deadline,
    /// dropping those that did not).
    private func tryCompleteJoin(_ groupId: String, now: Int64, force: Bool = false) {
        guard var group = groups[groupId], group.state == .preparingRebalance else { return }
        if let until = initialDelayUntil[groupId], now < until, !force { return }
        let allJoined = group.members.values.allSatisfy { $0.joinWaiter != nil }
        guard allJoined || force else { return }
        initialDelayUntil[groupId] = nil
        for id in group.order where group.members[id]?.joinWaiter == nil {
            group.members[id] = nil
        }
        group.order.removeAll { group.members[$0] == nil }
        group.generation += 1
        guard !group.members.isEmpty else {
            group.state = .empty
            group.leader = nil
            group.protocolName = nil
            groups[groupId] = group
            persistEmptied(group)
            return
        }
        group.protocolName = Self.electProtocol(group.order.compactMap { group.members[$0]?.protocols })
        if group.leader == nil || group.members[group.leader!] == nil { group.leader = group.order.first }
        group.state = .completingRebalance
        for id in group.order {
            guard let waiter = group.members[id]?.joinWaiter else { continue }
            group.members[id]?.joinWaiter = nil
            group.members[id]?.lastSeen = now
            group.members[id]?.assignment = []
            waiter.resume(returning: currentGenerationResult(group, for: id))
        }
        groups[groupId] = group
    }

    /// Protocol names every member supports, in the first member's preference order.
    static func commonProtocols(_ lists: [[GroupProtocol]]) -> [String] {
        guard let first = lists.first else { return [] }
        return first.map(\.name).filter { name in lists.allSatisfy { list in list.contains { $0.name == name } } }
    }

    /// Kafka's vote: each member votes for its most preferred common protocol; most votes wins, ties
    /// going to the earlier-joined member's preference.
    static func electProtocol(_ lists: [[GroupProtocol]]) -> String? {
        let candidates = commonProtocols(lists)
        var votes: [String: Int] = [:]
        for list in lists {
            if let choice = list.first(where: { candidates.contains($0.name) })?.name { votes[choice, default: 0] += 1 }
        }
        var winner: String?
        for candidate in candidates where winner == nil || votes[candidate, default: 0] > votes[winner ?? "", default: 0] {
            winner = candidate
        }
        return winner
    }

    // MARK: SyncGroup

    public func sync(groupId: String, generation: Int32, memberId: String,
                     assignments: [String: [UInt8]]) async -> SyncResult {
        let failure = { (code: Code) in SyncResult(error: code, protocolType: nil, protocolName: nil, assignment: []) }
        guard var group = groups[groupId], var member = group.members[memberId] else { return failure(.unknownMemberId) }
        guard generation == group.generation else { return failure(.illegalGeneration) }
        member.lastSeen = clock()
        switch group.state {
        case .empty, .dead:
            return failure(.unknownMemberId)
        case .preparingRebalance:
            group.members[memberId] = member
            groups[groupId] = group
            return failure(.rebalanceInProgress)
        case .stable:
            group.members[memberId] = member
            groups[groupId] = group
            return SyncResult(error: .none, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment)
        case .completingRebalance:
            group.members[memberId] = member
            groups[groupId] = group
            return await withCheckedContinuation { continuation in
                groups[groupId]?.members[memberId]?.syncWaiter = continuation
                if memberId == groups[groupId]?.leader { completeSync(groupId, assignments: assignments) }
            }
        }
    }

    private func completeSync(_ groupId: String, assignments: [String: [UInt8]]) {
        guard var group = groups[groupId] else { return }
        group.state = .stable
        var answers: [(CheckedContinuation<SyncResult, Never>, SyncResult)] = []
        for id in group.order {
            group.members[id]?.assignment = assignments[id] ?? []
            if let waiter = group.members[id]?.syncWaiter {
                group.members[id]?.syncWaiter = nil
                answers.append((waiter, SyncResult(error: .none, protocolType: group.protocolType,
                                                   protocolName: group.protocolName, assignment: assignments[id] ?? [])))
            }
        }
        groups[groupId] = group
        // As Kafka does: the generation is stored before SyncGroup is answered. A failed store is not an
        // error for the members (they keep the generation in memory); after a restart they rejoin.
        guard let persist else {
            for (waiter, answer) in answers { waiter.resume(returning: answer) }
            return
        }
        let ready = answers
        persist(Self.record(of: group)) {
            for (waiter, answer) in ready { waiter.resume(returning: answer) }
        }
    }

    // MARK: Heartbeat, LeaveGroup

    public func heartbeat(groupId: String, generation: Int32, memberId: String) -> Code {
        guard var group = groups[groupId], group.members[memberId] != nil else { return .unknownMemberId }
        guard generation == group.generation else { return .illegalGeneration }
        group.members[memberId]?.lastSeen = clock()
        groups[groupId] = group
        switch group.state {
        case .stable: return .none
        case .preparingRebalance, .completingRebalance: return .rebalanceInProgress
        case .empty, .dead: return .unknownMemberId
        }
    }

    /// Removes members; an unknown member gets UNKNOWN_MEMBER_ID. Starts a rebalance for those left.
    public func leave(groupId: String, memberIds: [String]) -> [Code] {
        guard var group = groups[groupId] else { return memberIds.map { _ in .unknownMemberId } }
        var results: [Code] = []
        for id in memberIds {
            guard let member = group.members.removeValue(forKey: id) else {
                results.append(group.pending.removeValue(forKey: id) != nil ? .none : .unknownMemberId)
                continue
            }
            group.order.removeAll { $0 == id }
            member.joinWaiter?.resume(returning: .failure(.unknownMemberId, memberId: id))
            member.syncWaiter?.resume(returning: SyncResult(error: .unknownMemberId, protocolType: nil, protocolName: nil, assignment: []))
            results.append(.none)
        }
        membersChanged(&group, now: clock())
        groups[groupId] = group
        tryCompleteJoin(groupId, now: clock())
        return results
    }

    private func membersChanged(_ group: inout Group, now: Int64) {
        if group.members.isEmpty {
            if group.state != .empty {
                group.state = .empty
                group.generation += 1
                group.leader = nil
                group.protocolName = nil
                persistEmptied(group)
            }
        } else if group.state == .stable || group.state == .completingRebalance {
            prepareRebalance(&group, now: now)
        }
    }

    // MARK: Timers

    /// Expires members whose session ran out and pending ids never used, and completes join phases
    /// whose rebalance timeout passed.
    public func tick() {
        let now = clock()
        for id in Array(groups.keys) {
            guard var group = groups[id] else { continue }
            group.pending = group.pending.filter { $0.value > now }
            var expired = false
            for memberId in group.order {
                guard let member = group.members[memberId], member.joinWaiter == nil else { continue }
                // While a rebalance is under way, the rebalance timeout governs members that must rejoin.
                if group.state == .preparingRebalance { continue }
                if now - member.lastSeen > member.sessionTimeoutMs {
                    group.members[memberId] = nil
                    member.syncWaiter?.resume(returning: SyncResult(error: .unknownMemberId, protocolType: nil, protocolName: nil, assignment: []))
                    expired = true
                }
            }
            if expired {
                group.order.removeAll { group.members[$0] == nil }
                membersChanged(&group, now: now)
            }
            groups[id] = group
            if group.state == .preparingRebalance {
                tryCompleteJoin(id, now: now, force: now >= group.rebalanceDeadline)
            }
        }
    }

    // MARK: Offsets and descriptions

    /// Kafka's doCommitOffsets checks; returns `.none` when the commit may be stored.
    public func validateCommit(groupId: String, generation: Int32, memberId: String) -> Code {
        let group = groups[groupId]
        // A "simple" consumer (manual assignment) commits outside any generation.
        if generation < 0 && (group?.state ?? .empty) == .empty { return .none }
        guard let group, group.members[memberId] != nil else { return .unknownMemberId }
        guard generation == group.generation else { return .illegalGeneration }
        if group.state == .completingRebalance { return .rebalanceInProgress }
        groups[groupId]?.members[memberId]?.lastSeen = clock()
        return .none
    }

    /// Makes a group known (offsets committed for it) so that it is listed while it has no members.
    public func noteGroup(_ groupId: String) {
        if groups[groupId] == nil { groups[groupId] = Group(id: groupId) }
    }

    public func describe(groupId: String) -> GroupDescription? {
        guard let group = groups[groupId] else { return nil }
        return GroupDescription(
            groupId: groupId, state: group.state, protocolType: group.protocolType ?? "", protocolName: group.protocolName ?? "",
            members: group.order.compactMap { id in
                guard let member = group.members[id] else { return nil }
                return MemberDescription(memberId: id, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                                         clientHost: member.clientHost,
                                         metadata: member.protocols.first { $0.name == group.protocolName }?.metadata ?? [],
                                         assignment: member.assignment)
            })
    }

    public func list() -> [(groupId: String, protocolType: String, state: State)] {
        groups.values.sorted { $0.id < $1.id }.map { ($0.id, $0.protocolType ?? "", $0.state) }
    }

    /// Deletes an empty group (the admin CLI's reset path relies on "refused while it has members").
    public func hasMembers(_ groupId: String) -> Bool { !(groups[groupId]?.members.isEmpty ?? true) }
}
