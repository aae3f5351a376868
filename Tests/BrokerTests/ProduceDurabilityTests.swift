import Foundation
import KafkaWire
import Logging
import LogStore
import LogStoreTesting
import NIOCore
import Testing
@testable import Broker

/// acks=all answers only once the batch is on disk, for a retried (duplicate) idempotent batch too.
@Suite struct ProduceDurabilityTests {
    static func handler(_ directory: String) throws -> (BrokerRequestHandler, TopicRegistry) {
        let topics = try TopicRegistry(dataDirectory: directory + "/topics")
        let handler = BrokerRequestHandler(config: BrokerConfig(), topics: topics, groups: GroupCoordinator(),
                                           offsets: try OffsetStore(directory: directory + "/groups"),
                                           producerIds: try ProducerIdAllocator(directory: directory), appendSignal: AppendSignal(),
                                           metrics: BrokerMetrics(), logger: Logger(label: "test"))
        return (handler, topics)
    }

    static func request(acks: Int16, batch: [UInt8]) -> ProduceRequest {
        ProduceRequest(acks: acks, timeoutMs: 30_000, topics: [.init(name: "orders", partitions: [.init(index: 0, records: ByteBuffer(bytes: batch))])])
    }

    static let context = BrokerRequestHandler.RequestContext(
        header: RequestHeader(apiKey: .produce, apiVersion: 8, correlationId: 1, clientId: "test"),
        connection: ConnectionInfo(id: 1, remoteAddress: "test"))

    /// The answer's one partition, once it is ready; and whether it had to wait (an fsync) to be ready.
    static func answer(_ answer: BrokerRequestHandler.Answer) async -> (partition: ProduceResponse.Partition?, waited: Bool) {
        switch answer {
        case .message(.produce(let response)): (response.topics.first?.partitions.first, false)
        case .later(let later): (await Self.answer(later()).partition, true)
        default: (nil, false)
        }
    }

    @Test func aRetriedBatchUnderAcksAllIsAnsweredOnlyWhenTheOriginalIsOnDisk() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("produce-durability-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (handler, topics) = try Self.handler(directory)
        // Flushed on a timer only: an append stays volatile until someone asks for an fsync.
        try topics.create(name: "orders", partitions: 1, configs: ["flush.ms": "3600000"])
        let log = try #require(topics.partition("orders", 0)?.log)
        let batch = SyntheticBatch.make(recordCount: 2, totalSize: 160, producerId: 9, producerEpoch: 0, baseSequence: 0)

        // The first send with acks=1: appended, answered at once, not yet durable.
        let first = await Self.answer(handler.produce(Self.request(acks: 1, batch: batch), Self.context))
        #expect(first.partition?.errorCode == 0 && first.partition?.baseOffset == 0 && !first.waited)
        #expect(log.unflushedBytes > 0)
        // The same batch again, acks=1: a duplicate, answered with the original offset, still not durable.
        let again = await Self.answer(handler.produce(Self.request(acks: 1, batch: batch), Self.context))
        #expect(again.partition?.errorCode == 0 && again.partition?.baseOffset == 0 && !again.waited)
        #expect(log.unflushedBytes > 0)
        // Retried with acks=all: still the original offset, but answered only after an fsync covering it.
        let retried = await Self.answer(handler.produce(Self.request(acks: -1, batch: batch), Self.context))
        #expect(retried.partition?.errorCode == 0 && retried.partition?.baseOffset == 0)
        #expect(retried.waited)
        #expect(log.unflushedBytes == 0)
        #expect(log.logEndOffset == 2)
        await topics.closeAll()
    }
}
