import ShopTestSupport
import Foundation
@testable import BrokerClient
import KafkaWire
import Synchronization
import Testing

final class AssignmentLog: Sendable {
    private let state = Mutex<[String: Set<TopicPartition>]>([:])
    func set(_ member: String, _ partitions: Set<TopicPartition>) { state.withLock { $0[member] = partitions } }
    func remove(_ member: String) { state.withLock { $0[member] = nil } }
    var snapshot: [String: Set<TopicPartition>] { state.withLock { $0 } }
}

@Suite(.serialized) struct ConsumerTests {
    func fastGroupConfig(_ group: String) -> ConsumerConfig {
        var config = ConsumerConfig()
        config.groupId = group
        config.autoOffsetReset = .earliest
        config.sessionTimeout = .seconds(6)
        config.rebalanceTimeout = .seconds(10)
        config.heartbeatInterval = .milliseconds(300)
        config.fetchMaxWait = .milliseconds(100)
        return config
    }

    func produce(_ cluster: BrokerCluster, topic: String, count: Int, partitions: Int32) async throws {
        try await BrokerAdmin(cluster: cluster).createTopic(topic, partitions: partitions)
        let producer = try BrokerProducer(cluster: cluster)
        try await withThrowingTaskGroup(of: RecordMetadata.self) { group in
            for i in 0..<count {
                group.addTask { try await producer.send(topic: topic, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8)) }
            }
            for try await _ in group {}
        }
        await producer.close()
    }

    @Test func groupMemberReadsEverythingCommitsAndResumes() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await produce(cluster, topic: "orders", count: 50, partitions: 2)
        let assigned = AssignmentLog()
        let consumer = BrokerConsumer(cluster: cluster, config: fastGroupConfig("g1"))
        await consumer.onPartitionsAssigned { assigned.set("assigned", Set($0)) }
        await consumer.onPartitionsRevoked { assigned.set("revoked", Set($0)) }
        try await consumer.subscribe(["orders"])
        var values: [String] = []
        for _ in 0..<100 where values.count < 50 {
            values += try await consumer.poll(timeout: .milliseconds(200)).compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(Set(values) == Set((0..<50).map { "v\($0)" }))
        #expect(assigned.snapshot["assigned"] == [TopicPartition("orders", 0), TopicPartition("orders", 1)])
        await consumer.close()  // commits and leaves
        #expect(assigned.snapshot["revoked"] == [TopicPartition("orders", 0), TopicPartition("orders", 1)])
        #expect(try await BrokerAdmin(cluster: cluster).describeGroup("g1").totalLag == 0)
        let again = BrokerConsumer(cluster: cluster, config: fastGroupConfig("g1"))
        try await again.subscribe(["orders"])
        #expect(try await again.poll(timeout: .milliseconds(500)).isEmpty)
        await again.close()
        await cluster.shutdown()
    }

    @Test func recordAndBatchStreamsDeliverEverythingInOrder() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await produce(cluster, topic: "streams", count: 30, partitions: 1)
        let partition = TopicPartition("streams", 0)

        let batchConsumer = BrokerConsumer(cluster: cluster)
        await batchConsumer.assign([partition])
        try await batchConsumer.seekToBeginning([partition])
        var batched: [Int64] = []
        var batchCount = 0
        for try await batch in batchConsumer.batches(pollTimeout: .milliseconds(200)) {
            #expect(!batch.isEmpty)
            batchCount += 1
            batched += batch.map(\.offset)
            if batched.count >= 30 { break }
        }
        #expect(batched == Array(0..<30))
        #expect(batchCount >= 1 && batchCount <= 30)
        await batchConsumer.close()

        let recordConsumer = BrokerConsumer(cluster: cluster)
        await recordConsumer.assign([partition])
        try await recordConsumer.seekToBeginning([partition])
        var values: [String] = []
        for try await record in recordConsumer.records(pollTimeout: .milliseconds(200)) {
            values.append(String(decoding: record.value ?? [], as: UTF8.self))
            if values.count == 30 { break }
        }
        #expect(Set(values) == Set((0..<30).map { "v\($0)" }))
        await recordConsumer.close()
        await cluster.shutdown()
    }

    @Test func manualAssignmentSeeksPauseAndResume() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await produce(cluster, topic: "t", count: 20, partitions: 1)
        var config = ConsumerConfig()
        config.fetchMaxWait = .milliseconds(50)
        let consumer = BrokerConsumer(cluster: cluster, config: config)
        let partition = TopicPartition("t", 0)
        await consumer.assign([partition])
        await consumer.seek(partition, to: 15)
        var offsets: [Int64] = []
        for _ in 0..<20 where offsets.count < 5 { offsets += try await consumer.poll(timeout: .milliseconds(100)).map(\.offset) }
        #expect(offsets == [15, 16, 17, 18, 19])
        try await consumer.seekToBeginning([partition])
        await consumer.pause([partition])
        #expect(try await consumer.poll(timeout: .milliseconds(100)).isEmpty)
        await consumer.resume([partition])
        #expect(try await consumer.poll(timeout: .seconds(2)).first?.offset == 0)
        try await consumer.seekToEnd([partition])
        #expect(await consumer.position(partition) == 20)
        await consumer.close()
        await cluster.shutdown()
    }

    /// Three Swift members and one kafka-python member share a 4-partition topic: every partition is
    /// owned by exactly one of them; when one Swift member leaves, the others own all four again.
    @Test func mixedGroupRebalancesAsMembersComeAndGo() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await produce(cluster, topic: "shared", count: 40, partitions: 4)
        let log = AssignmentLog()
        let all: Set<TopicPartition> = Set((0..<4).map { TopicPartition("shared", $0) })

        // kafka-python member: prints its assignment whenever it changes.
        let stopFile = NSTemporaryDirectory() + "python-member-stop-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: stopFile) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: try pythonPath())
        python.arguments = ["-c", """
            import os, sys, time
            from kafka import KafkaConsumer
            c = KafkaConsumer("shared", bootstrap_servers=sys.argv[1], group_id="mixed", auto_offset_reset="earliest",
                              session_timeout_ms=180000, heartbeat_interval_ms=300, max_poll_interval_ms=10000)
            last = None
            end = time.time() + 400
            # The test asks it to leave by creating the stop file (signals may be blocked in test processes).
            while time.time() < end and not os.path.exists(sys.argv[2]):
                c.poll(timeout_ms=100)
                now = sorted(p.partition for p in c.assignment())
                if now != last:
                    print("ASSIGNED " + ",".join(map(str, now)), flush=True)
                    last = now
            c.close()  # LeaveGroup: the group rebalances at once
            """, broker.bootstrap, stopFile]
        let pipe = Pipe()
        python.standardOutput = pipe
        python.standardError = FileHandle.nullDevice
        try python.run()
        defer { if python.isRunning { python.terminate() } }
        // Read its lines on a Dispatch thread (blocking reads), until it exits.
        let handle = pipe.fileHandleForReading
        DispatchQueue.global().async {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    guard line.hasPrefix("ASSIGNED") else { continue }
                    let numbers = line.dropFirst(9).split(separator: ",").compactMap { Int32($0) }
                    log.set("python", Set(numbers.map { TopicPartition("shared", $0) }))
                }
            }
        }

        var members: [(String, BrokerConsumer, Task<Void, Never>)] = []
        for name in ["swift-a", "swift-b", "swift-c"] {
            // A long session (three minutes, the Python member's too): a member that left must be noticed from
            // its LeaveGroup; the one-minute bounds below stay two minutes clear of any session expiry.
            var config = fastGroupConfig("mixed")
            config.sessionTimeout = .seconds(180)
            let consumer = BrokerConsumer(cluster: cluster, config: config)
            try await consumer.subscribe(["shared"])
            let task = Task {
                while !Task.isCancelled {
                    _ = try? await consumer.poll(timeout: .milliseconds(100))
                    log.set(name, await consumer.currentAssignment())
                }
            }
            members.append((name, consumer, task))
        }

        func partitioned(_ names: Set<String>) -> Bool {
            let snapshot = log.snapshot.filter { names.contains($0.key) }
            guard snapshot.count == names.count, snapshot.values.allSatisfy({ !$0.isEmpty }) else { return false }
            let union = snapshot.values.reduce(Set<TopicPartition>()) { $0.union($1) }
            return union == all && snapshot.values.reduce(0) { $0 + $1.count } == all.count
        }
        func waitUntil(_ names: Set<String>, seconds: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !partitioned(names) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(partitioned(names), "assignments: \(log.snapshot)")
        }
        try await waitUntil(["swift-a", "swift-b", "swift-c", "python"], seconds: 60)

        // swift-c leaves cleanly: the rest take over its partition without waiting for a session timeout.
        let (_, leaving, leavingTask) = members[2]
        leavingTask.cancel()
        await leaving.close()
        log.remove("swift-c")
        let started = ContinuousClock.now
        try await waitUntil(["swift-a", "swift-b", "python"], seconds: 120)
        #expect(ContinuousClock.now - started < .seconds(60), "a session expiry (180 s), not the leave, moved the partitions")

        // The kafka-python member leaves cleanly too: the two Swift members split all four partitions.
        FileManager.default.createFile(atPath: stopFile, contents: nil)
        python.waitUntilExit()
        log.remove("python")
        let pythonLeft = ContinuousClock.now
        try await waitUntil(["swift-a", "swift-b"], seconds: 120)
        #expect(ContinuousClock.now - pythonLeft < .seconds(60), "a session expiry (180 s), not the leave, moved the partitions")

        for (_, consumer, task) in members.prefix(2) {
            task.cancel()
            await consumer.close()
        }
        await cluster.shutdown()
    }

    func pythonPath() throws -> String {
        if let path = ProcessInfo.processInfo.environment["KAFKA_TEST_PYTHON"] { return path }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = repo.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BrokerClientError.invalidRequest("\(path) is missing: run `make test`, which creates the virtualenv")
        }
        return path
    }
}
