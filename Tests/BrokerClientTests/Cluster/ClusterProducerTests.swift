@testable import BrokerClient
import KafkaWire
import ShopTestSupport
import Testing

/// The idempotent producer on a three-broker cluster not written here (librdkafka's mock cluster) while
/// partition leaders move, a broker is down for a while and the brokers answer NOT_LEADER_OR_FOLLOWER.
@Suite(.serialized) struct ClusterProducerTests {
    static let topic = "moving"
    static let partitions: Int32 = 6
    static let rounds = 20
    static let perRound = 150

    /// Leaders: partition p on broker `brokers[p % brokers.count]`.
    func spread(_ mock: MockCluster, over brokers: [Int32]) throws {
        for partition in 0..<Self.partitions {
            try mock.setLeader(topic: Self.topic, partition: partition, broker: brokers[Int(partition) % brokers.count])
        }
    }

    /// One round: `perRound` records, each value its global sequence number, keys spread over partitions.
    func round(_ producer: BrokerProducer, _ index: Int) async throws {
        let records: [(key: [UInt8]?, value: [UInt8]?)] = (0..<Self.perRound).map { offset in
            let n = index * Self.perRound + offset
            return (Array("key-\(n % 24)".utf8), Array("\(n)".utf8))
        }
        for result in try await producer.send(topic: Self.topic, records: records) { _ = try result.get() }
    }

    @Test func noDuplicateNoGapOrderKeptWhileLeadersMoveAndABrokerIsDown() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        try mock.createTopic(Self.topic, partitions: Int(Self.partitions))
        try spread(mock, over: [1, 2, 3])
        let cluster = try BrokerCluster(bootstrap: [mock.bootstrap], requestTimeout: .seconds(10))
        var config = ProducerConfig()
        config.retryBackoff = .milliseconds(50)
        config.requestTimeout = .seconds(10)
        let producer = try BrokerProducer(cluster: cluster, config: config)

        for index in 0..<5 { try await round(producer, index) }
        // Leaders move under the producer: its metadata is stale, the old leaders answer NOT_LEADER_OR_FOLLOWER.
        try spread(mock, over: [2, 3, 1])
        for index in 5..<8 { try await round(producer, index) }
        // Injected NOT_LEADER_OR_FOLLOWER (6) answers to the next Produce requests, wherever they go.
        try mock.pushErrors(apiKey: ApiKey.produce.rawValue, [6, 6, 6])
        try await round(producer, 8)
        try spread(mock, over: [1, 2, 3])
        try await round(producer, 9)

        // Broker 2 goes down while it leads partitions 1 and 4 and a round is on its way; it stays down
        // until the producer has retried, then its partitions move to the other brokers (as a controller
        // would elect new leaders) and the round completes.
        let retriedBefore = await producer.retriedBatches
        async let pending: Void = round(producer, 10)
        try mock.down(broker: 2)
        try await eventually("the producer retried batches for the broker that is down", timeout: .seconds(60)) {
            await producer.retriedBatches > retriedBefore
        }
        try spread(mock, over: [1, 3])
        try await pending
        for index in 11..<15 { try await round(producer, index) }
        // Broker 2 returns and leads again.
        try mock.up(broker: 2)
        try spread(mock, over: [3, 2, 1])
        for index in 15..<Self.rounds { try await round(producer, index) }
        await producer.close()

        var seen = Set<Int>()
        for partition in 0..<Self.partitions {
            let records = try await readAll(cluster, topic: Self.topic, partition: partition)
            let values = records.compactMap { $0.2.flatMap { Int($0) } }
            #expect(values.count == records.count, "partition \(partition): a record without a number")
            #expect(values == values.sorted() && Set(values).count == values.count,
                    "partition \(partition): order not kept or a duplicate")
            #expect(records.map(\.0) == Array(0..<Int64(records.count)), "partition \(partition): offsets not dense")
            for value in values { #expect(seen.insert(value).inserted, "\(value) written twice") }
        }
        #expect(seen == Set(0..<(Self.rounds * Self.perRound)), "missing: \(Set(0..<(Self.rounds * Self.perRound)).subtracting(seen).sorted().prefix(20))")
        #expect(await producer.retriedBatches > 0)
        await cluster.shutdown()
    }
}
