@testable import BrokerClient
import ShopTestSupport
import KafkaWire
import NIOCore
import Testing

/// Reads every record of a partition with plain Fetch requests: (offset, key, value).
func readAll(_ cluster: BrokerCluster, topic: String, partition: Int32 = 0) async throws -> [(Int64, String?, String?)] {
    let connection = try await cluster.connection(to: try await cluster.leader(topic: topic, partition: partition))
    var offset: Int64 = 0
    var result: [(Int64, String?, String?)] = []
    for _ in 0..<10_000 {
        let request = FetchRequest(maxWaitMs: 0, minBytes: 1, topics: [
            .init(topic: topic, partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: 1 << 20)]),
        ])
        guard case .fetch(let response) = try await connection.send(.fetch(request)),
              let answer = response.topics.first?.partitions.first else { break }
        guard var records = answer.records, records.readableBytes > 0 else { break }
        let decoder = RecordBatch.Decoder()
        let batches = try decoder.decodeBatches(from: &records)
        for batch in batches {
            for record in batch.records where batch.offset(of: record) >= offset {
                result.append((batch.offset(of: record), record.keyBytes.map { String(decoding: $0, as: UTF8.self) },
                               record.valueBytes.map { String(decoding: $0, as: UTF8.self) }))
            }
            offset = batch.lastOffset + 1
        }
        if offset >= answer.highWatermark { break }
    }
    return result
}

@Suite(.serialized) struct ProducerTests {
    @Test(arguments: [(ProducerConfig.Acks.none, CompressionCodec.none), (.leader, .lz4), (.all, .none), (.all, .lz4)])
    func roundTrip(acks: ProducerConfig.Acks, compression: CompressionCodec) async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("rt", partitions: 1)
        var config = ProducerConfig()
        config.acks = acks
        config.compression = compression
        config.idempotent = acks == .all
        let producer = try BrokerProducer(cluster: cluster, config: config)
        var offsets: [Int64] = []
        try await withThrowingTaskGroup(of: RecordMetadata.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await producer.send(topic: "rt", key: Array("k\(i)".utf8), value: Array(String(repeating: "v\(i)-", count: 20).utf8),
                                            headers: [RecordHeader(key: "n", valueBytes: Array("\(i)".utf8))])
                }
            }
            for try await metadata in group { offsets.append(metadata.offset) }
        }
        await producer.flush()
        if acks == .none {
            #expect(offsets.allSatisfy { $0 == -1 })
        } else {
            #expect(offsets.sorted() == Array(0..<200))
        }
        // acks=0 has no acknowledgement to wait for: read until all 200 arrived (bounded).
        var records: [(Int64, String?, String?)] = []
        for _ in 0..<200 {
            records = try await readAll(cluster, topic: "rt")
            if records.count >= 200 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(records.count == 200)
        #expect(Set(records.compactMap(\.1)) == Set((0..<200).map { "k\($0)" }))
        #expect(records.map(\.0) == Array(0..<200))
        await producer.close()
        await cluster.shutdown()
    }

    /// A caller that gives up (task cancelled) stops waiting at once, even while the broker is gone and
    /// the delivery would otherwise wait for its whole timeout.
    @Test func cancellingASendEndsTheWait() async throws {
        let broker = try await BrokerProcess()
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("cancel", partitions: 1)
        var config = ProducerConfig()
        config.deliveryTimeout = .seconds(120)
        let producer = try BrokerProducer(cluster: cluster, config: config)
        _ = try await producer.send(topic: "cancel", key: nil, value: Array("warm".utf8))
        broker.kill()
        defer { broker.stop() }
        let pending = Task { try await producer.send(topic: "cancel", key: nil, value: Array("lost".utf8)) }
        // Usually the send is waiting for its delivery by now; cancelled earlier, it must end the same way.
        try await Task.sleep(for: .milliseconds(200))
        let cancelled = ContinuousClock.now
        pending.cancel()
        await #expect(throws: CancellationError.self) { try await pending.value }
        // Well apart from the 120 s delivery timeout it would otherwise wait for.
        #expect(ContinuousClock.now - cancelled < .seconds(60))
        await cluster.shutdown()
    }

    @Test func chunkSendReturnsEveryOffsetInOrder() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("chunks", partitions: 1)
        let producer = try BrokerProducer(cluster: cluster)
        let first = try await producer.send(topic: "chunks", records: (0..<300).map { (key: nil, value: Array("c\($0)".utf8)) })
        let second = try await producer.send(topic: "chunks", records: (0..<5).map { (key: nil, value: Array("d\($0)".utf8)) })
        #expect(try first.map { try $0.get().offset } == Array(0..<300))
        #expect(try second.map { try $0.get().offset } == Array(300..<305))
        #expect(try await producer.send(topic: "chunks", records: []).isEmpty)
        #expect(try await readAll(cluster, topic: "chunks").map(\.2) == (0..<300).map { "c\($0)" } + (0..<5).map { "d\($0)" })
        await producer.close()
        await cluster.shutdown()
    }

    /// Connections are dropped (client side) again and again while an idempotent producer sends:
    /// retries reuse their sequence numbers, so the log ends with every record once, in order.
    @Test func forcedConnectionDropsLeaveNoDuplicatesOrGaps() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("drops", partitions: 1)
        var config = ProducerConfig()
        config.retryBackoff = .milliseconds(10)
        config.linger = .milliseconds(1)
        let producer = try BrokerProducer(cluster: cluster, config: config)
        // Sends while connections are dropped every few milliseconds: whatever the drops hit, the
        // offsets must come out dense and the log must hold every record once.
        var total = 0
        for _ in 0..<1 {
            let base = total
            total += 5000
            let sends = Task {
                var offsets: [Int64] = []
                for start in stride(from: base, to: base + 5000, by: 100) {
                    let results = try await producer.send(topic: "drops", records: (start..<(start + 100)).map { (key: nil, value: Array("r\($0)".utf8)) })
                    offsets += try results.map { try $0.get().offset }
                }
                return offsets
            }
            // At most 30 drops, 20 ms apart: often enough to hit requests, rarely enough to let
            // each reconnect finish a request (drops every 2 ms starve the producer entirely).
            let dropper = Task {
                for _ in 0..<30 where !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(20))
                    await cluster.dropConnections()
                }
            }
            let offsets = try await sends.value
            dropper.cancel()
            await dropper.value
            #expect(offsets == Array(Int64(base)..<Int64(total)))
        }
        let records = try await readAll(cluster, topic: "drops")
        #expect(records.map(\.0) == Array(0..<Int64(total)))
        #expect(records.compactMap(\.2) == (0..<total).map { "r\($0)" })
        await producer.close()
        await cluster.shutdown()
    }

    /// The same with many batches of the partition in flight at once (concurrent chunk senders):
    /// a drop fails several pipelined batches, and those written behind a failed one may come back
    /// "out of order"; all are resent in sequence order, so every record lands once, each chunk
    /// contiguous.
    @Test func forcedConnectionDropsWithPipelinedBatches() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("pipelined", partitions: 1)
        var config = ProducerConfig()
        config.retryBackoff = .milliseconds(10)
        config.linger = .milliseconds(1)
        config.batchBytes = 4096  // small batches: several of them in flight
        let producer = try BrokerProducer(cluster: cluster, config: config)
        let senders = 8, chunks = 25, chunkSize = 40
        let sends = Task {
            try await withThrowingTaskGroup(of: [[Int64]].self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        var offsets: [[Int64]] = []
                        for chunk in 0..<chunks {
                            let values = (0..<chunkSize).map { (key: [UInt8]?.none, value: Optional(Array("s\(sender)-c\(chunk)-\($0)".utf8))) }
                            offsets.append(try await producer.send(topic: "pipelined", records: values).map { try $0.get().offset })
                        }
                        return offsets
                    }
                }
                var all: [[Int64]] = []
                for try await offsets in group { all += offsets }
                return all
            }
        }
        let dropper = Task {
            for _ in 0..<30 where !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(15))
                await cluster.dropConnections()
            }
        }
        let chunkOffsets = try await sends.value
        dropper.cancel()
        await dropper.value
        let total = senders * chunks * chunkSize
        #expect(chunkOffsets.flatMap { $0 }.sorted() == Array(0..<Int64(total)))
        for offsets in chunkOffsets {
            #expect(offsets == Array((offsets.first ?? 0)..<((offsets.first ?? 0) + Int64(chunkSize))))
        }
        let records = try await readAll(cluster, topic: "pipelined")
        #expect(records.map(\.0) == Array(0..<Int64(total)))
        #expect(Set(records.compactMap(\.2)).count == total)
        await producer.close()
        await cluster.shutdown()
    }

    /// The root cause behind `forcedConnectionDropsWithPipelinedBatches` failing with "sequence 0
    /// is out of order", made deterministic: batch 0 is written to connection A and still waits
    /// there on the broker (behind a long-polling Fetch) when A is replaced, as after a drop
    /// whose failures have not reached the producer yet. Batch 1 must not overtake it on the new
    /// connection: the broker has no state for the producer yet and would append sequence 1
    /// first, and batch 0 could then only ever be out of order.
    @Test func laterBatchWaitsForEarlierOneOnAReplacedConnection() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic("overtake", partitions: 2)
        try await admin.createTopic("idle", partitions: 1)
        var config = ProducerConfig()
        config.linger = .milliseconds(1)
        config.retryBackoff = .milliseconds(10)
        let producer = try BrokerProducer(cluster: cluster, config: config)
        // The producer id and the topic's metadata first, so that the next sends go straight out;
        // partition 0, the one under test, has no state for the producer on the broker yet.
        _ = try await producer.send(topic: "overtake", key: nil, value: [0], partition: 1)
        let leader = try await cluster.leader(topic: "overtake", partition: 0)
        let connectionA = try await cluster.connection(to: leader)
        // Occupy A on the broker (one request at a time per connection) for 2 s.
        let fetch = FetchRequest(maxWaitMs: 2000, minBytes: 1, topics: [
            .init(topic: "idle", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ])
        let longPoll = try connectionA.start(.fetch(fetch), timeout: .seconds(10))
        let first = Task { try await producer.send(topic: "overtake", key: nil, value: Array("first".utf8), partition: 0) }
        // Until batch 0 is written to A (it waits there behind the Fetch); bounded.
        for _ in 0..<500 where await producer.writtenBatches(topic: "overtake", partition: 0) == 0 {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(await producer.writtenBatches(topic: "overtake", partition: 0) == 1)
        let forgotten = await cluster.forgetConnections()
        #expect(forgotten.contains { $0 === connectionA })
        let second = try await producer.send(topic: "overtake", key: nil, value: Array("second".utf8), partition: 0)
        let firstOffset = try await first.value.offset
        #expect(firstOffset == 0)
        #expect(second.offset == 1)
        _ = try? await longPoll.get()
        #expect(try await readAll(cluster, topic: "overtake").compactMap(\.2) == ["first", "second"])
        await connectionA.close()
        await producer.close()
        await cluster.shutdown()
    }

    @Test func keysLandWhereTheJavaClientPutsThem() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("keyed", partitions: 6)
        let producer = try BrokerProducer(cluster: cluster)
        for key in ["alpha", "beta", "gamma", "delta", "user-42", "order-7"] {
            let metadata = try await producer.send(topic: "keyed", key: Array(key.utf8), value: [1])
            #expect(metadata.partition == Murmur2Partitioner.partition(forKey: Array(key.utf8), partitionCount: 6))
        }
        await producer.close()
        await cluster.shutdown()
    }

    /// The broker is killed and restarted while an idempotent producer sends: every record is
    /// acknowledged exactly once and the log has no duplicate and no gap.
    @Test func brokerRestartDuringIdempotentSendsLeavesNoDuplicatesOrGaps() async throws {
        var broker = try await BrokerProcess()
        let port = broker.port
        let dataDirectory = broker.dataDirectory
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic("idem", partitions: 1)
        var config = ProducerConfig()
        config.retryBackoff = .milliseconds(20)
        let producer = try BrokerProducer(cluster: cluster, config: config)
        let total = 2000
        let sends = Task {
            try await withThrowingTaskGroup(of: RecordMetadata.self) { group in
                for i in 0..<total {
                    group.addTask { try await producer.send(topic: "idem", key: nil, value: Array("r\(i)".utf8)) }
                    if i % 100 == 0 { await Task.yield() }
                }
                var offsets: [Int64] = []
                for try await metadata in group { offsets.append(metadata.offset) }
                return offsets
            }
        }
        // Restart once some records are in (polling our own progress, bounded).
        for _ in 0..<1000 {
            if try await readAll(cluster, topic: "idem").count >= 200 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        broker.kill()
        broker = try await BrokerProcess(port: port, dataDirectory: dataDirectory)
        defer { broker.stop() }
        let offsets = try await sends.value
        #expect(offsets.sorted() == Array(0..<Int64(total)))
        let records = try await readAll(cluster, topic: "idem")
        #expect(records.count == total)
        #expect(records.map(\.0) == Array(0..<Int64(total)))
        #expect(Set(records.compactMap(\.2)).count == total)
        await producer.close()
        await cluster.shutdown()
    }
}
