@testable import BrokerClient
import KafkaWire
import ShopTestSupport
import Synchronization
import Testing

/// A consumer group of three Swift members on a three-broker cluster not written here, while the group
/// coordinator moves and answers NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS: the group rebalances,
/// and each partition's new owner resumes exactly after the last successful commit.
@Suite(.serialized) struct ClusterConsumerGroupTests {
    static let topic = "orders"
    static let group = "three-members"
    static let partitions: Int32 = 6

    /// What every member saw, shared by the test.
    final class Ledger: Sendable {
        struct State {
            var received: [TopicPartition: [Int64]] = [:]
            var committed: [TopicPartition: Int64] = [:]
            /// Partitions assigned to a member that has not yet read from them, and the commit it must start from.
            var fresh: [String: [TopicPartition: Int64]] = [:]
            var violations: [String] = []
            var errors: [String] = []
        }
        let state = Mutex(State())

        var total: Int { state.withLock { $0.received.values.reduce(0) { $0 + $1.count } } }

        func assigned(_ member: String, _ partitions: [TopicPartition]) {
            state.withLock { s in for p in partitions { s.fresh[member, default: [:]][p] = s.committed[p] ?? 0 } }
        }

        func received(_ member: String, _ records: [ConsumerRecord]) {
            state.withLock { s in
                for record in records {
                    let p = TopicPartition(record.topic, record.partition)
                    if let expected = s.fresh[member]?.removeValue(forKey: p), record.offset != expected {
                        s.violations.append("\(member) started \(p) at \(record.offset), last commit was \(expected)")
                    }
                    s.received[p, default: []].append(record.offset)
                }
            }
        }

        func committed(_ offsets: [TopicPartition: Int64]) {
            state.withLock { s in for (p, o) in offsets { s.committed[p] = max(s.committed[p] ?? 0, o) } }
        }

        func failed(_ member: String, _ error: Error) { state.withLock { $0.errors.append("\(member): \(error)") } }
    }

    func config() -> ConsumerConfig {
        var config = ConsumerConfig()
        config.groupId = Self.group
        config.autoOffsetReset = .earliest
        config.enableAutoCommit = false
        config.sessionTimeout = .seconds(6)
        config.rebalanceTimeout = .seconds(10)
        config.heartbeatInterval = .milliseconds(300)
        config.fetchMaxWait = .milliseconds(100)
        return config
    }

    /// A member: poll, note the records, commit what it read, until cancelled.
    func member(_ name: String, _ consumer: BrokerConsumer, _ ledger: Ledger) -> Task<Void, Never> {
        Task {
            await consumer.onPartitionsAssigned { ledger.assigned(name, $0) }
            do {
                try await consumer.subscribe([Self.topic])
                while !Task.isCancelled {
                    let records = try await consumer.poll(timeout: .milliseconds(200))
                    guard !records.isEmpty else { continue }
                    ledger.received(name, records)
                    var offsets: [TopicPartition: Int64] = [:]
                    for record in records {
                        let p = TopicPartition(record.topic, record.partition)
                        offsets[p] = max(offsets[p] ?? 0, record.offset + 1)
                    }
                    do {
                        try await consumer.commit(offsets)
                        ledger.committed(offsets)
                    } catch let error as BrokerClientError {
                        // A commit refused by a rebalance is normal (the next owner re-reads); any other is not.
                        guard case .broker(let code, _) = error, [.rebalanceInProgress, .illegalGeneration, .unknownMemberId].contains(code) else {
                            throw error
                        }
                    }
                }
            } catch is CancellationError {
            } catch BrokerClientError.shutDown {
            } catch {
                ledger.failed(name, error)
            }
        }
    }

    func produce(_ producer: BrokerProducer, _ range: Range<Int>) async throws {
        let records: [(key: [UInt8]?, value: [UInt8]?)] = range.map { (Array("k\($0 % 18)".utf8), Array("\($0)".utf8)) }
        for result in try await producer.send(topic: Self.topic, records: records) { _ = try result.get() }
    }

    @Test func rebalancesAndResumesAfterTheLastCommitWhileTheCoordinatorMoves() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        try mock.createTopic(Self.topic, partitions: Int(Self.partitions))
        for p in 0..<Self.partitions { try mock.setLeader(topic: Self.topic, partition: p, broker: p % 3 + 1) }
        try mock.setCoordinator(group: Self.group, broker: 1)
        let cluster = try BrokerCluster(bootstrap: [mock.bootstrap], requestTimeout: .seconds(10))
        let producer = try BrokerProducer(cluster: cluster)
        try await produce(producer, 0..<300)

        let ledger = Ledger()
        var consumers = (0..<3).map { _ in BrokerConsumer(cluster: cluster, config: config()) }
        var members = consumers.enumerated().map { member("m\($0.offset)", $0.element, ledger) }
        try await eventually("three members share the six partitions", timeout: .seconds(60)) {
            var sizes: [Int] = []
            for consumer in consumers { sizes.append(await consumer.currentAssignment().count) }
            return sizes == [2, 2, 2]
        }
        try await eventually("the first 300 records read", timeout: .seconds(60)) { ledger.total >= 300 }

        // The coordinator moves: the members' cached coordinator answers NOT_COORDINATOR from now on, and
        // the next commits and heartbeats meet injected coordinator errors as well.
        try mock.setCoordinator(group: Self.group, broker: 2)
        try mock.pushErrors(apiKey: ApiKey.offsetCommit.rawValue, [16, 14, 16])
        try mock.pushErrors(apiKey: ApiKey.heartbeat.rawValue, [16, 14])
        try await produce(producer, 300..<600)
        try await eventually("600 records read after the coordinator moved", timeout: .seconds(60)) { ledger.total >= 600 }

        // Again, and one member leaves: the two others take its partitions and resume after its last commit.
        try mock.setCoordinator(group: Self.group, broker: 3)
        try mock.pushErrors(apiKey: ApiKey.offsetFetch.rawValue, [16, 14])
        members[0].cancel()
        await members[0].value
        await consumers[0].close()
        try await produce(producer, 600..<900)
        try await eventually("the two remaining members hold all six partitions", timeout: .seconds(60)) {
            let a = await consumers[1].currentAssignment().count, b = await consumers[2].currentAssignment().count
            return a + b == 6
        }
        try await eventually("900 records read", timeout: .seconds(60)) {
            ledger.state.withLock { s in s.received.values.reduce(0) { $0 + Set($1).count } } >= 900
        }
        for index in 1..<3 {
            members[index].cancel()
            await members[index].value
            await consumers[index].close()
        }

        // A new member after everyone left starts exactly at the committed offsets.
        let committed = ledger.state.withLock { $0.committed }
        try await produce(producer, 900..<960)
        consumers = [BrokerConsumer(cluster: cluster, config: config())]
        members = [member("late", consumers[0], ledger)]
        try await eventually("960 records read", timeout: .seconds(60)) {
            ledger.state.withLock { s in s.received.values.reduce(0) { $0 + Set($1).count } } >= 960
        }
        members[0].cancel()
        await members[0].value
        await consumers[0].close()
        let fetched = try await BrokerConsumer(cluster: cluster, config: config())
            .committedOffsets(group: Self.group, (0..<Self.partitions).map { TopicPartition(Self.topic, $0) })

        let state = ledger.state.withLock { $0 }
        #expect(state.errors.isEmpty, "\(state.errors)")
        #expect(state.violations.isEmpty, "\(state.violations)")
        #expect(!committed.isEmpty)
        var total = 0
        for (partition, offsets) in state.received {
            // Redelivery is allowed only where a commit was refused; every offset is read, none skipped.
            #expect(Set(offsets) == Set(0..<Int64(Set(offsets).count)), "\(partition): a gap")
            total += Set(offsets).count
            #expect(fetched[partition] == Int64(Set(offsets).count), "\(partition): committed \(fetched[partition] ?? -1)")
        }
        #expect(total == 960)
        await producer.close()
        await cluster.shutdown()
    }
}
