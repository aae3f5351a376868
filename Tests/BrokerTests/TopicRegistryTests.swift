import Foundation
import LogStore
import LogStoreTesting
import Testing
@testable import Broker

@Suite struct TopicRegistryTests {
    func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "/broker-topics-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func topicsAndConfigsSurviveRestarts() async throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let registry = try TopicRegistry(dataDirectory: dir)
            try registry.create(name: "orders.v1", partitions: 3, configs: ["retention.ms": "60000", "flush.messages": "1"])
            try registry.create(name: "payments")
            await registry.closeAll()
        }
        let reopened = try TopicRegistry(dataDirectory: dir)
        #expect(reopened.allTopics.map(\.info.name) == ["orders.v1", "payments"])
        let orders = try #require(reopened.topic("orders.v1"))
        #expect(orders.partitions.count == 3)
        #expect(orders.info.config.retentionMs == 60000)
        #expect(orders.partitions[0].log.config.flushPolicy == .everyAppend)
        #expect(reopened.topic("payments")?.partitions.count == 1)
    }

    @Test func invalidRequestsAreRefused() throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try TopicRegistry(dataDirectory: dir)
        #expect(throws: TopicRegistry.TopicError.self) { try registry.create(name: "bad/name") }
        #expect(throws: TopicRegistry.TopicError.self) { try registry.create(name: "..") }
        #expect(throws: TopicRegistry.TopicError.self) { try registry.create(name: String(repeating: "x", count: 250)) }
        #expect(throws: TopicRegistry.TopicError.invalidPartitions(0)) { try registry.create(name: "t", partitions: 0) }
        #expect(throws: TopicRegistry.TopicError.self) { try registry.create(name: "t", configs: ["retention.ms": "soon"]) }
        #expect(throws: TopicRegistry.TopicError.self) { try registry.create(name: "t", configs: ["no.such.config": "1"]) }
        try registry.create(name: "t", validateOnly: true)
        #expect(registry.topic("t") == nil)
        try registry.create(name: "t")
        #expect(throws: TopicRegistry.TopicError.alreadyExists("t")) { try registry.create(name: "t") }
    }

    @Test func deleteRemovesDataAndMetadata() async throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try TopicRegistry(dataDirectory: dir)
        try registry.create(name: "gone", partitions: 2)
        try await registry.delete(name: "gone")
        #expect(registry.topic("gone") == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/gone-0"))
        await #expect(throws: TopicRegistry.TopicError.unknownTopic("gone")) { try await registry.delete(name: "gone") }
        #expect(try TopicRegistry(dataDirectory: dir).topic("gone") == nil)
    }

    /// A power cut can undo the removal of a deleted topic's directories (the topic list itself is
    /// durable first). A topic created again under that name must start empty, not adopt the old records.
    @Test func recreatedTopicStartsEmptyEvenIfOldDirectoryRemains() async throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let registry = try TopicRegistry(dataDirectory: dir)
            try registry.create(name: "again")
            let partition = try #require(registry.partition("again", 0))
            var batch = SyntheticBatch.make(recordCount: 5, totalSize: 200)
            _ = try partition.log.append(&batch)
            await registry.closeAll()
        }
        // What a cut between the durable topic list and the directory removal leaves: the list without
        // the topic, and its directory still there.
        try Data("[]".utf8).write(to: URL(fileURLWithPath: dir + "/topics.json"))
        #expect(FileManager.default.fileExists(atPath: dir + "/again-0/00000000000000000000.log"))
        let registry = try TopicRegistry(dataDirectory: dir)
        #expect(registry.topic("again") == nil)
        try registry.create(name: "again")
        #expect(registry.partition("again", 0)?.log.logEndOffset == 0)
    }

    /// A damaged topics.json must not drive an unbounded loop of directory creations.
    @Test func absurdPartitionCountOnDiskIsRefused() throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let info = TopicRegistry.TopicInfo(name: "x", partitionCount: 2_000_000_000, config: TopicConfig())
        try JSONEncoder().encode([info]).write(to: URL(fileURLWithPath: dir + "/topics.json"))
        #expect(throws: TopicRegistry.TopicError.self) { try TopicRegistry(dataDirectory: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x-0"))
    }

    /// Idempotent-producer state is rebuilt from the log, so a retry after a restart is a duplicate.
    @Test func producerStateIsRebuiltFromTheLog() async throws {
        let dir = temporaryDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        var batch = SyntheticBatch.make(recordCount: 3, totalSize: 200, producerId: 77, producerEpoch: 1, baseSequence: 0)
        do {
            let registry = try TopicRegistry(dataDirectory: dir)
            try registry.create(name: "idem")
            let partition = try #require(registry.partition("idem", 0))
            let outcome = try batch.withUnsafeMutableBytes { raw in
                try partition.append(raw, producerId: 77, producerEpoch: 1, baseSequence: 0, lastOffsetDelta: 2)
            }
            guard case .appended(let result) = outcome else { Issue.record("expected append, got \(outcome)"); return }
            #expect(result.baseOffset == 0)
            await registry.closeAll()
        }
        let registry = try TopicRegistry(dataDirectory: dir)
        let partition = try #require(registry.partition("idem", 0))
        let retry = try batch.withUnsafeMutableBytes { raw in
            try partition.append(raw, producerId: 77, producerEpoch: 1, baseSequence: 0, lastOffsetDelta: 2)
        }
        #expect(retry == .duplicate(baseOffset: 0))
        #expect(partition.log.logEndOffset == 3)
        let gap = try batch.withUnsafeMutableBytes { raw in
            try partition.append(raw, producerId: 77, producerEpoch: 1, baseSequence: 5, lastOffsetDelta: 2)
        }
        #expect(gap == .outOfOrderSequence)
    }
}
