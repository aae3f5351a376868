import BrokerClient
import NIOCore
import Foundation

/// Reads a whole topic, from the beginning to its end offsets at the time of the call, without a group.
/// "Exactly once" checks read this way: every record that exists is counted, none is waited for.
public enum TopicReader {
    public struct Event: Sendable {
        public var partition: Int32
        public var offset: Int64
        public var key: String?
        public var value: Data
        public var headers: [String: String]
    }

    public static func readAll(topic: String, bootstrap: String, timeout: Duration = .seconds(20)) async throws -> [Event] {
        let cluster = try BrokerCluster(bootstrap: [bootstrap], clientId: "topic-reader")
        do {
            let events = try await read(topic: topic, cluster: cluster, timeout: timeout)
            await cluster.shutdown()
            return events
        } catch {
            await cluster.shutdown()
            throw error
        }
    }

    private static func read(topic: String, cluster: BrokerCluster, timeout: Duration) async throws -> [Event] {
        let metadata = try await cluster.refreshMetadata(topics: [topic])
        guard let partitions = metadata.topics[topic]?.partitions, !partitions.isEmpty else { return [] }
        let consumer = BrokerConsumer(cluster: cluster)
        let assigned = partitions.map { TopicPartition(topic, $0.index) }
        await consumer.assign(assigned)
        try await consumer.seekToEnd(assigned)
        var ends: [TopicPartition: Int64] = [:]
        for partition in assigned { ends[partition] = await consumer.position(partition) ?? 0 }
        try await consumer.seekToBeginning(assigned)
        var events: [Event] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var done = true
            for partition in assigned where (await consumer.position(partition) ?? 0) < (ends[partition] ?? 0) { done = false }
            if done { break }
            for record in try await consumer.poll(timeout: .milliseconds(200)) {
                guard record.offset < (ends[TopicPartition(record.topic, record.partition)] ?? 0) else { continue }
                var headers: [String: String] = [:]
                for header in record.headers { headers[header.key] = header.value.map { String(buffer: $0) } }
                events.append(Event(partition: record.partition, offset: record.offset,
                                    key: record.key.map { String(decoding: $0, as: UTF8.self) },
                                    value: Data(record.value ?? []), headers: headers))
            }
        }
        await consumer.close()
        return events
    }
}
