import KafkaWire
import NIOCore

/// A Kafka consumer: a member of a consumer group (join, sync, heartbeat, leave, with the range and
/// roundrobin assignors that interoperate with librdkafka and kafka-python members) or a standalone
/// reader of assigned partitions. Records come from `poll` or the `records()` stream; offsets are
/// committed automatically or by hand; seeks, pause and resume, and assignment callbacks let a service
/// load offsets it keeps itself and finish in-flight work before partitions are taken away.
public actor BrokerConsumer {
    public let cluster: BrokerCluster
    public let config: ConsumerConfig

    public typealias AssignmentHandler = @Sendable (_ partitions: [TopicPartition]) async -> Void

    private var subscription: [String] = []
    private var manualAssignment: Set<TopicPartition>?
    private var assignment: Set<TopicPartition> = []
    private var positions: [TopicPartition: Int64] = [:]
    private var paused: Set<TopicPartition> = []
    private var memberId = ""
    private var generation: Int32 = -1
    private var needsJoin = false
    private var heartbeat: Task<Void, Never>?
    private var lastCommit = ContinuousClock.now
    private var onAssigned: AssignmentHandler?
    private var onRevoked: AssignmentHandler?
    private var closed = false
    private let decoder: RecordBatch.Decoder

    /// The consumer opens connections of its own (a sibling of `cluster`): a JoinGroup that waits for
    /// the rest of the group, or a long-poll fetch, must not hold up other users of `cluster`.
    public init(cluster: BrokerCluster, config: ConsumerConfig = ConsumerConfig()) {
        self.cluster = cluster.sibling()
        self.config = config
        decoder = RecordBatch.Decoder(maxUncompressedBytes: config.maxUncompressedBatchBytes)
    }

    // MARK: Subscription and assignment

    /// Joins the group (needs `groupId`) for these topics; the assignment arrives with the next poll.
    public func subscribe(_ topics: [String]) throws(BrokerClientError) {
        guard config.groupId != nil else { throw .invalidRequest("subscribe needs a groupId; use assign(_:) without a group") }
        subscription = topics.sorted()
        manualAssignment = nil
        needsJoin = true
    }

    /// Reads exactly these partitions, outside any group rebalancing.
    public func assign(_ partitions: [TopicPartition]) {
        manualAssignment = Set(partitions)
        assignment = Set(partitions)
        positions = positions.filter { assignment.contains($0.key) }
        subscription = []
    }

    public func currentAssignment() -> Set<TopicPartition> { assignment }
    public func position(_ partition: TopicPartition) -> Int64? { positions[partition] }

    public func onPartitionsAssigned(_ handler: @escaping AssignmentHandler) { onAssigned = handler }
    public func onPartitionsRevoked(_ handler: @escaping AssignmentHandler) { onRevoked = handler }

    // MARK: Seeks, pause and resume

    public func seek(_ partition: TopicPartition, to offset: Int64) {
        positions[partition] = offset
    }

    public func seekToBeginning(_ partitions: [TopicPartition]) async throws(BrokerClientError) {
        for (partition, offset) in try await listOffsets(partitions, timestamp: -2) { seek(partition, to: offset) }
    }

    public func seekToEnd(_ partitions: [TopicPartition]) async throws(BrokerClientError) {
        for (partition, offset) in try await listOffsets(partitions, timestamp: -1) { seek(partition, to: offset) }
    }

    /// The first offset at or after `timestamp` (milliseconds), or the end when there is none.
    public func seek(_ partitions: [TopicPartition], toTimestamp timestamp: Int64) async throws(BrokerClientError) {
        let found = try await listOffsets(partitions, timestamp: timestamp)
        let ends = try await listOffsets(partitions.filter { (found[$0] ?? -1) < 0 }, timestamp: -1)
        for partition in partitions {
            if let offset = found[partition], offset >= 0 { seek(partition, to: offset) } else if let end = ends[partition] { seek(partition, to: end) }
        }
    }

    public func pause(_ partitions: [TopicPartition]) {
        paused.formUnion(partitions)
    }

    public func resume(_ partitions: [TopicPartition]) { paused.subtract(partitions) }

    // MARK: Polling

    /// Records from the assigned partitions, waiting up to `timeout` for some to arrive.
    public func poll(timeout: Duration = .seconds(1)) async throws -> [ConsumerRecord] {
        guard !closed else { throw BrokerClientError.shutDown }
        let deadline = ContinuousClock.now + timeout
        repeat {
            if config.groupId != nil && manualAssignment == nil && (needsJoin || memberId.isEmpty) {
                try await joinGroup()
            }
            try await maybeAutoCommit()
            try await initializePositions()
            let wait = min(config.fetchMaxWait, max(.zero, deadline - ContinuousClock.now))
            let records = try await fetch(maxWait: wait)
            if !records.isEmpty { return records }
        } while ContinuousClock.now < deadline && !needsJoin
        return []
    }

    /// Every record, as it arrives, until the consumer is closed or the task cancelled.
    public nonisolated func records(pollTimeout: Duration = .seconds(1)) -> AsyncThrowingStream<ConsumerRecord, Error> {
        stream(pollTimeout: pollTimeout) { records, continuation in
            for record in records { continuation.yield(record) }
        }
    }

    /// The records of each poll as one batch (never empty), for handlers that work per batch: one
    /// database transaction or one commit per batch instead of per record.
    public nonisolated func batches(pollTimeout: Duration = .seconds(1)) -> AsyncThrowingStream<[ConsumerRecord], Error> {
        stream(pollTimeout: pollTimeout) { records, continuation in
            if !records.isEmpty { continuation.yield(records) }
        }
    }

    private nonisolated func stream<Element>(
        pollTimeout: Duration,
        deliver: @escaping @Sendable ([ConsumerRecord], AsyncThrowingStream<Element, Error>.Continuation) -> Void
    ) -> AsyncThrowingStream<Element, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    while !Task.isCancelled {
                        deliver(try await self.poll(timeout: pollTimeout), continuation)
                    }
                    continuation.finish()
                } catch BrokerClientError.shutDown {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func fetchable() -> [TopicPartition] {
        assignment.filter { !paused.contains($0) && positions[$0] != nil }.sorted()
    }

    /// Positions for newly assigned partitions: the committed offset, else the reset policy.
    private func initializePositions() async throws {
        let missing = assignment.filter { positions[$0] == nil }.sorted()
        guard !missing.isEmpty else { return }
        if let group = config.groupId {
            for (partition, offset) in try await committedOffsets(group: group, missing) where offset >= 0 {
                positions[partition] = offset
            }
        }
        let stillMissing = missing.filter { positions[$0] == nil }
        guard !stillMissing.isEmpty else { return }
        switch config.autoOffsetReset {
        case .earliest: try await seekToBeginning(stillMissing)
        case .latest: try await seekToEnd(stillMissing)
        case .none: throw BrokerClientError.invalidRequest("no committed offset for \(stillMissing) and autoOffsetReset is none")
        }
    }

    private func fetch(maxWait: Duration) async throws -> [ConsumerRecord] {
        let partitions = fetchable()
        guard !partitions.isEmpty else {
            if maxWait > .zero { try await Task.sleep(for: min(maxWait, .milliseconds(100))) }
            return []
        }
        var byLeader: [ClusterMetadata.Node: [TopicPartition]] = [:]
        for partition in partitions {
            byLeader[try await cluster.leader(topic: partition.topic, partition: partition.partition), default: []].append(partition)
        }
        let positions = self.positions, config = self.config, cluster = self.cluster
        let responses = try await withThrowingTaskGroup(of: FetchResponse?.self) { group in
            for (node, owned) in byLeader {
                var topics: [String: [FetchRequest.Partition]] = [:]
                for partition in owned {
                    topics[partition.topic, default: []].append(.init(partition: partition.partition, fetchOffset: positions[partition] ?? 0,
                                                                      partitionMaxBytes: config.partitionMaxBytes))
                }
                let request = FetchRequest(maxWaitMs: Int32(maxWait.components.seconds * 1000 + maxWait.components.attoseconds / 1_000_000_000_000_000),
                                           minBytes: 1, maxBytes: config.fetchMaxBytes,
                                           topics: topics.map { .init(topic: $0.key, partitions: $0.value) })
                group.addTask {
                    do {
                        let connection = try await cluster.connection(to: node)
                        guard case .fetch(let response) = try await connection.send(.fetch(request), timeout: maxWait + .seconds(30)) else { return nil }
                        return response
                    } catch let error as BrokerClientError where error.isRetriable {
                        // This leader went away (or moved): the other leaders' records still count; the next
                        // poll asks whoever leads these partitions by then.
                        _ = try? await cluster.refreshMetadata(topics: Array(Set(owned.map(\.topic))))
                        try await Task.sleep(for: .milliseconds(100))
                        return nil
                    }
                }
            }
            var all: [FetchResponse] = []
            for try await response in group { if let response { all.append(response) } }
            return all
        }
        var records: [ConsumerRecord] = []
        for response in responses {
            for topic in response.topics {
                for answer in topic.partitions {
                    let partition = TopicPartition(topic.topic, answer.partitionIndex)
                    guard assignment.contains(partition), !paused.contains(partition), let position = self.positions[partition] else { continue }
                    if answer.errorCode == KafkaErrorCode.offsetOutOfRange.rawValue {
                        self.positions[partition] = nil  // re-initialised by the reset policy on the next poll
                        continue
                    }
                    if answer.errorCode != 0 {
                        _ = try? await cluster.refreshMetadata(topics: [topic.topic])
                        continue
                    }
                    guard var bytes = answer.records, bytes.readableBytes > 0 else { continue }
                    let batches = try decoder.decodeBatches(from: &bytes)
                    var next = position
                    for batch in batches where !batch.isControl {
                        for record in batch.records {
                            let offset = batch.offset(of: record)
                            guard offset >= position else { continue }
                            records.append(ConsumerRecord(topic: topic.topic, partition: answer.partitionIndex, offset: offset,
                                                          timestamp: batch.timestamp(of: record), key: record.keyBytes,
                                                          value: record.valueBytes, headers: record.headers))
                        }
                        next = max(next, batch.lastOffset + 1)
                    }
                    self.positions[partition] = next
                }
            }
        }
        return records
    }

    // MARK: Commits

    /// Commits the current position of every assigned partition.
    public func commit() async throws {
        var offsets: [TopicPartition: Int64] = [:]
        for partition in assignment { if let position = positions[partition] { offsets[partition] = position } }
        try await commit(offsets)
    }

    /// Commits the given offsets (the next offset to read), with optional metadata.
    public func commit(_ offsets: [TopicPartition: Int64], metadata: String? = nil) async throws {
        guard let group = config.groupId else { throw BrokerClientError.invalidRequest("commit needs a groupId") }
        guard !offsets.isEmpty else { return }
        var topics: [String: [OffsetCommitRequest.Partition]] = [:]
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            topics[partition.topic, default: []].append(.init(partitionIndex: partition.partition, committedOffset: offset,
                                                              committedMetadata: metadata))
        }
        let inGroup = manualAssignment == nil
        let request = OffsetCommitRequest(groupId: group, generationId: inGroup ? generation : -1, memberId: inGroup ? memberId : "",
                                          topics: topics.sorted { $0.key < $1.key }.map { .init(name: $0.key, partitions: $0.value) })
        // The coordinator may move or still be loading the group (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS):
        // those are retried against the coordinator found again; the generation errors end the commit.
        do {
            try await cluster.withCoordinator(group: group) { coordinator in
                guard case .offsetCommit(let response) = try await coordinator.send(.offsetCommit(request)) else {
                    throw BrokerClientError.unsupportedApi(.offsetCommit, address: coordinator.address)
                }
                for partition in response.topics.flatMap(\.partitions) where partition.errorCode != 0 {
                    throw BrokerClientError.broker(KafkaErrorCode(rawValue: partition.errorCode) ?? .unknownServerError,
                                                   context: "committing offsets for group '\(group)'")
                }
            }
        } catch BrokerClientError.broker(let code, let context) {
            if [.rebalanceInProgress, .illegalGeneration, .unknownMemberId].contains(code) { needsJoin = true }
            if code == .unknownMemberId { memberId = "" }
            throw BrokerClientError.broker(code, context: context)
        }
        lastCommit = ContinuousClock.now
    }

    private func maybeAutoCommit() async throws {
        guard config.enableAutoCommit, config.groupId != nil, ContinuousClock.now - lastCommit >= config.autoCommitInterval else { return }
        try? await commit()
        lastCommit = ContinuousClock.now
    }

    // MARK: Group membership

    private func joinGroup() async throws {
        guard let group = config.groupId else { return }
        // Finish with the partitions we hold before they may move.
        if !assignment.isEmpty {
            if config.enableAutoCommit { try? await commit() }
            await onRevoked?(assignment.sorted())
            assignment = []
            positions = [:]
        }
        let subscriptionBytes = ConsumerProtocolSubscription(topics: subscription).encoded()
        let protocols = config.assignors.map { JoinGroupRequest.JoinProtocol(name: $0.name, metadata: subscriptionBytes) }
        for _ in 0..<20 {
            guard let coordinator = try await reachCoordinator(group) else { continue }
            let request = JoinGroupRequest(groupId: group, sessionTimeoutMs: Self.milliseconds(config.sessionTimeout),
                                           rebalanceTimeoutMs: Self.milliseconds(config.rebalanceTimeout), memberId: memberId,
                                           protocolType: "consumer", protocols: protocols)
            guard let joinAnswer = try await coordinatorCall(group, coordinator, .joinGroup(request)) else { continue }
            guard case .joinGroup(let joined) = joinAnswer else {
                throw BrokerClientError.unsupportedApi(.joinGroup, address: coordinator.address)
            }
            let code = KafkaErrorCode(rawValue: joined.errorCode) ?? .unknownServerError
            switch code {
            case .none: break
            case .memberIdRequired:
                memberId = joined.memberId
                continue
            case .unknownMemberId:
                memberId = ""
                continue
            case .rebalanceInProgress, .coordinatorLoadInProgress:
                continue
            case .notCoordinator, .coordinatorNotAvailable:
                await cluster.forgetCoordinator(group: group)
                continue
            default:
                throw BrokerClientError.broker(code, context: "joining group '\(group)'")
            }
            memberId = joined.memberId
            generation = joined.generationId
            var assignments: [SyncGroupRequest.Assignment] = []
            if joined.leader == memberId {
                guard let assignor = config.assignors.first(where: { $0.name == joined.protocolName }) else {
                    throw BrokerClientError.invalidRequest("the group chose assignor '\(joined.protocolName)', which this consumer does not offer")
                }
                let members = try joined.members.map { try ConsumerGroupMember($0) }
                let topics = Array(Set(members.flatMap(\.topics))).sorted()
                let metadata = try await cluster.refreshMetadata(topics: topics)
                var counts: [String: Int32] = [:]
                for topic in topics { if let info = metadata.topics[topic], info.error == nil { counts[topic] = Int32(info.partitions.count) } }
                assignments = assignor.syncGroupAssignments(members: members, partitionCounts: counts)
            }
            let sync = SyncGroupRequest(groupId: group, generationId: generation, memberId: memberId, assignments: assignments)
            guard let syncAnswer = try await coordinatorCall(group, coordinator, .syncGroup(sync)) else { continue }
            guard case .syncGroup(let synced) = syncAnswer else {
                throw BrokerClientError.unsupportedApi(.syncGroup, address: coordinator.address)
            }
            let syncCode = KafkaErrorCode(rawValue: synced.errorCode) ?? .unknownServerError
            // INVALID_REQUEST: librdkafka's mock coordinator answers so a member whose SyncGroup arrives after the
            // leader's completed the generation; librdkafka's consumer rejoins on it, and so does this one.
            if [.rebalanceInProgress, .illegalGeneration, .invalidRequest].contains(syncCode) { continue }
            if [.notCoordinator, .coordinatorNotAvailable].contains(syncCode) {
                await cluster.forgetCoordinator(group: group)
                continue
            }
            if syncCode == .coordinatorLoadInProgress { continue }
            if syncCode == .unknownMemberId { memberId = ""; continue }
            guard syncCode == .none else { throw BrokerClientError.broker(syncCode, context: "syncing group '\(group)'") }
            let decoded = try ConsumerProtocolAssignment.decode(synced.assignment)
            var assigned: Set<TopicPartition> = []
            for (topic, partitions) in decoded.partitionsByTopic { for partition in partitions { assigned.insert(TopicPartition(topic, partition)) } }
            assignment = assigned
            needsJoin = false
            startHeartbeat()
            await onAssigned?(assignment.sorted())
            return
        }
        throw BrokerClientError.broker(.rebalanceInProgress, context: "joining group '\(group)': no stable generation after 20 attempts")
    }

    /// The group's coordinator, or nil when it cannot be reached now (it is forgotten, to be found again).
    private func reachCoordinator(_ group: String) async throws -> BrokerConnection? {
        do {
            return try await cluster.coordinator(group: group)
        } catch where error.isRetriable {
            await cluster.forgetCoordinator(group: group)
            try await Task.sleep(for: .milliseconds(100))
            return nil
        }
    }

    /// A JoinGroup or SyncGroup answer, or nil when the coordinator went away or moved meanwhile (it is
    /// forgotten, to be found again).
    private func coordinatorCall(_ group: String, _ coordinator: BrokerConnection, _ request: KafkaRequest) async throws -> KafkaResponse? {
        do {
            return try await coordinator.send(request, timeout: config.rebalanceTimeout + .seconds(10))
        } catch where error.isRetriable {
            await cluster.forgetCoordinator(group: group)
            try await Task.sleep(for: .milliseconds(100))
            return nil
        }
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    private func startHeartbeat() {
        heartbeat?.cancel()
        let interval = config.heartbeatInterval
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                await self.sendHeartbeat()
            }
        }
    }

    private func sendHeartbeat() async {
        guard let group = config.groupId, !memberId.isEmpty, !needsJoin else { return }
        do {
            let coordinator = try await cluster.coordinator(group: group)
            guard case .heartbeat(let response) = try await coordinator.send(
                .heartbeat(HeartbeatRequest(groupId: group, generationId: generation, memberId: memberId))) else { return }
            switch KafkaErrorCode(rawValue: response.errorCode) ?? .unknownServerError {
            case .none, .coordinatorLoadInProgress: break
            case .notCoordinator, .coordinatorNotAvailable:
                // The coordinator moved; the membership did not. Find it again and beat there next time
                // (rejoining would make the whole group rebalance for nothing).
                await cluster.forgetCoordinator(group: group)
            case .unknownMemberId:
                memberId = ""
                needsJoin = true
            default:
                needsJoin = true  // a rebalance is under way, or our generation is stale: rejoin on the next poll
            }
        } catch {
            await cluster.forgetCoordinator(group: group)
        }
    }

    /// Commits (with auto-commit), revokes, leaves the group so that it rebalances at once, and stops.
    public func close() async {
        guard !closed else { return }
        heartbeat?.cancel()
        if let group = config.groupId, manualAssignment == nil, !memberId.isEmpty {
            if config.enableAutoCommit { try? await commit() }
            await onRevoked?(assignment.sorted())
            if let coordinator = try? await cluster.coordinator(group: group) {
                _ = try? await coordinator.send(.leaveGroup(LeaveGroupRequest(groupId: group, memberId: memberId,
                                                                             members: [.init(memberId: memberId)])))
            }
        }
        closed = true
        assignment = []
        await cluster.shutdown()
    }

    // MARK: Offsets

    private func listOffsets(_ partitions: [TopicPartition], timestamp: Int64) async throws(BrokerClientError) -> [TopicPartition: Int64] {
        let admin = BrokerAdmin(cluster: cluster)
        var result: [TopicPartition: Int64] = [:]
        for (topic, group) in Dictionary(grouping: partitions, by: \.topic) {
            for (partition, offset) in try await admin.listOffsets(topic: topic, partitions: group.map(\.partition), timestamp: timestamp) {
                result[TopicPartition(topic, partition)] = offset
            }
        }
        return result
    }

    /// Committed offsets of a group (-1 where none).
    public func committedOffsets(group: String, _ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        let topics = Dictionary(grouping: partitions, by: \.topic).map { OffsetFetchRequest.Topic(name: $0.key, partitionIndexes: $0.value.map(\.partition)) }
        // An OffsetFetch answered with an error carries offsets of -1: taking them as "no commit" would
        // send the consumer back to its reset policy and re-read (or skip) what the group already
        // committed. So errors are errors, and coordinator moves are retried.
        let response = try await cluster.withCoordinator(group: group) { coordinator in
            guard case .offsetFetch(let response) = try await coordinator.send(.offsetFetch(OffsetFetchRequest(groupId: group, topics: topics))) else {
                throw BrokerClientError.unsupportedApi(.offsetFetch, address: coordinator.address)
            }
            if response.errorCode != 0 {
                throw BrokerClientError.broker(KafkaErrorCode(rawValue: response.errorCode) ?? .unknownServerError,
                                               context: "fetching the offsets of group '\(group)'")
            }
            for topic in response.topics {
                // UNKNOWN_TOPIC_OR_PARTITION for one partition: nothing committed there (the reset policy decides).
                for partition in topic.partitions
                where partition.errorCode != 0 && partition.errorCode != KafkaErrorCode.unknownTopicOrPartition.rawValue {
                    throw BrokerClientError.broker(KafkaErrorCode(rawValue: partition.errorCode) ?? .unknownServerError,
                                                   context: "fetching the offset of \(topic.name)-\(partition.partitionIndex) for group '\(group)'")
                }
            }
            return response
        }
        var result: [TopicPartition: Int64] = [:]
        for topic in response.topics { for partition in topic.partitions { result[TopicPartition(topic.name, partition.partitionIndex)] = partition.committedOffset } }
        return result
    }
}
