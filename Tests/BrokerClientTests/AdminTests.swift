@testable import BrokerClient
import ShopTestSupport
import KafkaWire
import NIOCore
import Testing

@Suite(.serialized) struct AdminTests {
    /// Produces `count` single-record batches to a partition through a raw Produce request.
    func produce(_ cluster: BrokerCluster, topic: String, partition: Int32 = 0, count: Int) async throws {
        let leader = try await cluster.leader(topic: topic, partition: partition)
        let connection = try await cluster.connection(to: leader)
        for i in 0..<count {
            let batch = RecordBatch(producing: [.init(keyBytes: nil, valueBytes: Array("value-\(i)".utf8), timestamp: 1_700_000_000_000 + Int64(i))])
            let request = ProduceRequest(acks: -1, timeoutMs: 10_000, topics: [
                .init(name: topic, partitions: [.init(index: partition, records: try batch.encoded())]),
            ])
            guard case .produce(let response) = try await connection.send(.produce(request)) else { Issue.record("not a produce response"); return }
            #expect(response.topics.first?.partitions.first?.errorCode == 0)
        }
    }

    @Test func negotiatesVersionsAndReportsConnectionErrors() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let connection = try await BrokerConnection.connect(host: "127.0.0.1", port: broker.port, clientId: "test")
        #expect(connection.version(of: .produce) == 8)
        #expect(connection.version(of: .fetch) == 11)
        #expect(connection.version(of: .apiVersions) == 3)
        await connection.close()
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        await #expect(throws: BrokerClientError.self) {
            try await BrokerConnection.connect(host: "127.0.0.1", port: closed.port, clientId: "test", timeout: .seconds(2))
        }
        #expect(throws: BrokerClientError.self) { try BrokerCluster(bootstrap: ["no-port"]) }
        #expect(throws: BrokerClientError.self) { try BrokerCluster(bootstrap: []) }
    }

    @Test func topicsAreCreatedListedDescribedAndDeleted() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic("orders", partitions: 3, configs: ["retention.ms": "60000"])
        await #expect(throws: BrokerClientError.self) { try await admin.createTopic("orders", partitions: 3) }
        #expect(try await admin.listTopics().map(\.name) == ["orders"])
        try await produce(cluster, topic: "orders", partition: 1, count: 4)
        let description = try await admin.describeTopic("orders")
        #expect(description.partitions.map(\.index) == [0, 1, 2])
        #expect(description.partitions.map(\.endOffset) == [0, 4, 0])
        #expect(try await admin.listOffsets(topic: "orders", partitions: [1], timestamp: 1_700_000_000_002) == [1: 2])
        try await admin.deleteTopic("orders")
        #expect(try await admin.listTopics().isEmpty)
        await cluster.shutdown()
    }

    @Test func groupLagAndOffsetReset() async throws {
        let broker = try await BrokerProcess()
        defer { broker.stop() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic("events", partitions: 1)
        try await produce(cluster, topic: "events", count: 10)
        // A simple (member-less) consumer commits offset 4 with metadata.
        let coordinator = try await cluster.coordinator(group: "g1")
        _ = try await coordinator.send(.offsetCommit(OffsetCommitRequest(groupId: "g1", topics: [
            .init(name: "events", partitions: [.init(partitionIndex: 0, committedOffset: 4, committedMetadata: "note")]),
        ])))
        var group = try await admin.describeGroup("g1")
        #expect(group.offsets == [.init(topic: "events", partition: 0, committedOffset: 4, metadata: "note", endOffset: 10, lag: 6)])
        #expect(group.totalLag == 6)
        #expect(try await admin.listGroups().map(\.groupId) == ["g1"])
        try await admin.resetOffsets(group: "g1", topic: "events", to: .earliest)
        group = try await admin.describeGroup("g1")
        #expect(group.totalLag == 10)
        try await admin.resetOffsets(group: "g1", topic: "events", to: .timestamp(1_700_000_000_007))
        #expect(try await admin.describeGroup("g1").offsets.first?.committedOffset == 7)
        await cluster.shutdown()
    }
}
