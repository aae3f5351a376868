import BrokerClient
import Contracts
import Foundation

/// What one redrive did.
public struct RedriveReport: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        /// The dead-letter record that still fails.
        public var deadLetterTopic: String
        public var partition: Int32
        public var offset: Int64
        public var eventId: String?
        public var error: String
    }

    /// Dead-letter records applied through the handler.
    public var applied = 0
    /// Records whose event had been applied already (by an earlier redrive or a redelivery).
    public var duplicates = 0
    /// The first failing record of each dead-letter partition; the partition's redrive stops there and
    /// the next redrive starts with it again.
    public var failures: [Failure] = []
}

extension EventConsumerRunner {
    /// Re-reads the dead-letter topics of the runner's topics (or of `topic` only) from where the last
    /// redrive stopped up to their current end, and applies each record through the same inbox path
    /// as live events. Progress is stored in the same transaction as each record's effect (group
    /// `<group>.redrive`), so a redrive applies each record at most once and can be repeated safely.
    /// Safe to call while `run()` is running.
    public func redrive(topic: String? = nil) async throws -> RedriveReport {
        let topics = topic.map { [$0] } ?? configuration.topics
        let cluster = try BrokerCluster(bootstrap: bootstrapAddresses, clientId: "\(configuration.serviceName)-redrive")
        var report = RedriveReport()
        do {
            for original in topics {
                try await redrive(deadLetterTopic: Topics.deadLetter(of: original, group: configuration.groupId),
                                  cluster: cluster, into: &report)
            }
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
        logger.notice("redrive finished", metadata: ["applied": "\(report.applied)", "duplicates": "\(report.duplicates)",
                                                     "still_failing": "\(report.failures.count)"])
        return report
    }

    private func redrive(deadLetterTopic: String, cluster: BrokerCluster, into report: inout RedriveReport) async throws {
        let metadata = try await cluster.refreshMetadata(topics: [deadLetterTopic])
        guard let info = metadata.topics[deadLetterTopic], info.error == nil, !info.partitions.isEmpty else { return }
        let partitions = info.partitions.map { TopicPartition(deadLetterTopic, $0.index) }
        let ends = try await BrokerAdmin(cluster: cluster).listOffsets(topic: deadLetterTopic, partitions: partitions.map(\.partition),
                                                                       timestamp: -1)
        let redriveGroup = configuration.redriveGroupId
        let stored = try await database.read { db in try ConsumerStore.nextOffsets(group: redriveGroup, db) }
        var config = ConsumerConfig()
        config.groupId = nil
        config.fetchMaxWait = .milliseconds(50)
        let consumer = BrokerConsumer(cluster: cluster, config: config)
        await consumer.assign(partitions)
        var pending: Set<TopicPartition> = []
        for partition in partitions {
            let start = stored[partition] ?? 0
            if start < (ends[partition.partition] ?? 0) {
                await consumer.seek(partition, to: start)
                pending.insert(partition)
            }
        }
        await consumer.pause(partitions.filter { !pending.contains($0) })
        do {
            let deadline = ContinuousClock.now + .seconds(60)
            while !pending.isEmpty {
                guard ContinuousClock.now < deadline else {
                    throw BrokerClientError.timedOut(operation: "redriving \(deadLetterTopic)", address: "\(pending.sorted())")
                }
                for record in try await consumer.poll(timeout: .milliseconds(200)) {
                    let partition = TopicPartition(record.topic, record.partition)
                    let end = ends[record.partition] ?? 0
                    guard pending.contains(partition), record.offset < end else { continue }
                    let done = try await redriveOne(record, group: redriveGroup, into: &report)
                    if !done || record.offset + 1 >= end {
                        pending.remove(partition)
                        await consumer.pause([partition])
                    }
                }
                // Partitions whose remaining records were all control records or compacted away.
                for partition in pending {
                    if let position = await consumer.position(partition), position >= (ends[partition.partition] ?? 0) {
                        pending.remove(partition)
                    }
                }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Applies one dead-letter record; false if it failed (its partition's redrive stops there).
    private func redriveOne(_ record: ConsumerRecord, group: String, into report: inout RedriveReport) async throws -> Bool {
        let progress = EventApplier.Progress(group: group, partition: TopicPartition(record.topic, record.partition),
                                             nextOffset: record.offset + 1)
        var eventId: String?
        do {
            let event = try DeadLetterHeader.originalEvent(from: record)
            eventId = event.eventId
            switch try await applier.apply(event, progress: progress) {
            case .applied:
                report.applied += 1
                metrics.redriven(topic: event.topic).increment()
            case .duplicate:
                report.duplicates += 1
            }
            return true
        } catch {
            if Task.isCancelled { throw CancellationError() }
            report.failures.append(.init(deadLetterTopic: record.topic, partition: record.partition, offset: record.offset,
                                         eventId: eventId, error: "\(error)"))
            logger.warning("redriving a dead-lettered event failed; it stays in the dead-letter topic", metadata: [
                "record": "\(record.topic)-\(record.partition)@\(record.offset)", "event_id": "\(eventId ?? "-")", "error": "\(error)",
            ])
            return false
        }
    }
}
