@testable import BrokerClient
import KafkaWire
import ShopTestSupport
import Testing

/// Admin calls on a three-broker cluster not written here: each partition's offsets are asked of its
/// leader (the mock answers NOT_LEADER_OR_FOLLOWER anywhere else), also right after leaders moved.
@Suite(.serialized) struct ClusterAdminTests {
    @Test func offsetsAndDescriptionsComeFromEachPartitionsLeaderAcrossLeaderMoves() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        let topic = "admin-routing"
        try mock.createTopic(topic, partitions: 3)
        for p in Int32(0)..<3 { try mock.setLeader(topic: topic, partition: p, broker: p + 1) }
        let cluster = try BrokerCluster(bootstrap: [mock.bootstrap], requestTimeout: .seconds(10))
        let admin = BrokerAdmin(cluster: cluster)

        let metadata = try await cluster.refreshMetadata(topics: nil)
        #expect(Set(metadata.nodes.keys) == [1, 2, 3])

        let producer = try BrokerProducer(cluster: cluster)
        for p in Int32(0)..<3 {
            for i in 0..<(10 * (Int(p) + 1)) {
                _ = try await producer.send(topic: topic, key: nil, value: Array("\(i)".utf8), partition: p)
            }
        }
        #expect(try await admin.listOffsets(topic: topic, partitions: [0, 1, 2], timestamp: -1) == [0: 10, 1: 20, 2: 30])
        #expect(try await admin.listOffsets(topic: topic, partitions: [0, 1, 2], timestamp: -2) == [0: 0, 1: 0, 2: 0])
        #expect(try await admin.describeTopic(topic).partitions.map(\.leader) == [1, 2, 3])

        // Leaders move; the client's metadata is stale until a broker tells it so.
        for p in Int32(0)..<3 { try mock.setLeader(topic: topic, partition: p, broker: (p + 2) % 3 + 1) }
        #expect(try await admin.listOffsets(topic: topic, partitions: [0, 1, 2], timestamp: -1) == [0: 10, 1: 20, 2: 30])
        let described = try await admin.describeTopic(topic)
        #expect(described.partitions.map(\.leader) == [3, 1, 2])
        #expect(described.partitions.map(\.endOffset) == [10, 20, 30])

        // Injected NOT_LEADER_OR_FOLLOWER and LEADER_NOT_AVAILABLE answers are retried after a metadata refresh.
        try mock.pushErrors(apiKey: ApiKey.listOffsets.rawValue, [6, 5])
        #expect(try await admin.listOffsets(topic: topic, partitions: [0, 1, 2], timestamp: -1) == [0: 10, 1: 20, 2: 30])
        await producer.close()
        await cluster.shutdown()
    }
}
