import BrokerClient
import Contracts
import Foundation

/// Finds out whether in-doubt outbox rows (attempted before, never marked) already reached their topic:
/// reads each topic from shortly before the rows' first attempt up to the current end and collects the
/// event ids it sees. The scan is bounded by what was appended since the first attempt.
struct InDoubtReconciler {
    let cluster: BrokerCluster
    let lookback: Duration

    func eventIdsAlreadyPublished(_ rows: [OutboxRow]) async throws -> Set<String> {
        var found: Set<String> = []
        for (topic, topicRows) in Dictionary(grouping: rows, by: \.topic) {
            let wanted = Set(topicRows.map(\.eventId))
            let earliest = topicRows.compactMap { $0.firstAttemptAt.flatMap(Timestamp.parse) }.min() ?? Date(timeIntervalSince1970: 0)
            let since = earliest.addingTimeInterval(-OutboxRelay.seconds(lookback))
            found.formUnion(try await scan(topic: topic, since: since, for: wanted))
        }
        return found
    }

    private func scan(topic: String, since: Date, for wanted: Set<String>) async throws -> Set<String> {
        let metadata = try await cluster.refreshMetadata(topics: [topic])
        // A topic that does not exist yet holds nothing.
        guard let info = metadata.topics[topic], info.error == nil, !info.partitions.isEmpty else { return [] }
        let partitions = info.partitions.map { TopicPartition(topic, $0.index) }
        let ends = try await BrokerAdmin(cluster: cluster).listOffsets(topic: topic, partitions: partitions.map(\.partition), timestamp: -1)
        var config = ConsumerConfig()
        config.groupId = nil
        config.fetchMaxWait = .milliseconds(50)
        let consumer = BrokerConsumer(cluster: cluster, config: config)
        await consumer.assign(partitions)
        let result: Result<Set<String>, any Error>
        do {
            result = .success(try await read(consumer, partitions: partitions, ends: ends, topic: topic, since: since, for: wanted))
        } catch {
            result = .failure(error)
        }
        await consumer.close()
        return try result.get()
    }

    private func read(_ consumer: BrokerConsumer, partitions: [TopicPartition], ends: [Int32: Int64], topic: String,
                      since: Date, for wanted: Set<String>) async throws -> Set<String> {
        try await consumer.seek(partitions, toTimestamp: Int64(since.timeIntervalSince1970 * 1000))
        var found: Set<String> = []
        var remaining = Set(partitions.filter { (ends[$0.partition] ?? 0) > 0 })
        let deadline = ContinuousClock.now + .seconds(30)
        while !remaining.isEmpty {
            for partition in remaining {
                if let position = await consumer.position(partition), position >= (ends[partition.partition] ?? 0) {
                    remaining.remove(partition)
                }
            }
            if remaining.isEmpty || found.count == wanted.count { break }
            guard ContinuousClock.now < deadline else {
                throw BrokerClientError.timedOut(operation: "scanning \(topic) for in-doubt events", address: "\(remaining.sorted())")
            }
            for record in try await consumer.poll(timeout: .milliseconds(200)) {
                if let eventId = HeaderText.dictionary(record.headers)[EnvelopeHeader.eventId], wanted.contains(eventId) {
                    found.insert(eventId)
                }
            }
        }
        return found
    }
}
