import BrokerClient
import Contracts
import Foundation
import GRDB
import Logging
import Prometheus
import ServiceLifecycle

/// A service's member of its consumer group. Each record is applied through the handler inside one
/// SQLite transaction that also writes the inbox row (the event id) and the partition's next offset,
/// so a redelivered event has no second effect and a restart resumes exactly where the database is.
/// On assignment the runner seeks to the offsets stored in its own database (the broker's committed
/// offsets are written too, but only so that group lag is visible to operators).
///
/// A record whose handler keeps failing is retried `maxAttempts` times with backoff, then published to
/// `<topic>.<group>.dlt` with failure headers, and the runner moves on. `redrive()` re-applies the
/// dead-letter records through the same path.
public final class EventConsumerRunner: Service, Sendable {
    /// Applies one event to the service's own tables, inside the runner's transaction. Throwing rolls
    /// the transaction back and counts as a failed attempt.
    public typealias Handler = @Sendable (ReceivedEvent, Database) throws -> Void

    let configuration: EventConsumerConfiguration
    let database: ServiceDatabase
    let logger: Logger
    let applier: EventApplier
    let metrics: EventConsumerMetrics
    let bootstrapAddresses: [String]
    /// Publishes to the dead-letter topics.
    private let deadLetterProducer: ManagedProducer

    public init(database: ServiceDatabase, bootstrap: [String], configuration: EventConsumerConfiguration,
                metrics: PrometheusCollectorRegistry, logger: Logger, handler: @escaping Handler) throws(BrokerClientError) {
        deadLetterProducer = try ManagedProducer(bootstrap: bootstrap, clientId: "\(configuration.serviceName)-dlt",
                                                 deliveryTimeout: configuration.deliveryTimeout)
        self.database = database
        self.bootstrapAddresses = bootstrap
        self.configuration = configuration
        applier = EventApplier(database: database, handler: handler)
        self.metrics = EventConsumerMetrics(registry: metrics, service: configuration.serviceName, group: configuration.groupId)
        var logger = logger
        logger[metadataKey: "component"] = "event-consumer"
        logger[metadataKey: "group"] = "\(configuration.groupId)"
        self.logger = logger
    }

    // MARK: Running

    /// Joins the group and applies records until graceful shutdown (or cancellation); then leaves the
    /// group. A record being applied at shutdown is either committed with its offset or redelivered.
    public func run() async throws {
        let cluster = try BrokerCluster(bootstrap: bootstrapAddresses, clientId: "\(configuration.serviceName)-consumer")
        var config = configuration.consumer
        config.groupId = configuration.groupId
        config.enableAutoCommit = false
        config.autoOffsetReset = configuration.startPosition == .earliest ? .earliest : .latest
        let consumer = BrokerConsumer(cluster: cluster, config: config)
        await consumer.onPartitionsAssigned { [weak consumer, self] partitions in
            guard let consumer else { return }
            await self.resumeFromStoredOffsets(partitions, consumer: consumer)
        }
        await consumer.onPartitionsRevoked { [logger] partitions in
            logger.debug("partitions revoked", metadata: ["partitions": "\(partitions)"])
        }
        let provisioned = (try? await cancelWhenGracefulShutdown { try await self.ensureTopicsExist(cluster) }) != nil
        guard provisioned else {
            // Shut down before the broker was reachable.
            await cluster.shutdown()
            await deadLetterProducer.discard()
            return
        }
        try await consumer.subscribe(configuration.topics)
        logger.info("event consumer started", metadata: ["topics": "\(configuration.topics)"])
        do {
            try await cancelWhenGracefulShutdown { try await self.loop(consumer, admin: BrokerAdmin(cluster: cluster)) }
        } catch is CancellationError {
            // Shutdown: not an error.
        }
        await consumer.close()
        await cluster.shutdown()
        await deadLetterProducer.discard()
        logger.info("event consumer stopped")
    }

    /// Creates the subscribed topics that do not exist yet, before joining the group: a consumer often
    /// starts before the first producer of its topic (payment before order), and a group subscribed to a
    /// missing topic is assigned nothing until a rebalance. Retries with backoff while the broker cannot
    /// be reached; a cluster that refuses to create topics (policy, authorization) is logged and the
    /// subscription proceeds with what exists.
    private func ensureTopicsExist(_ cluster: BrokerCluster) async throws {
        let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        var attempt = 0
        while true {
            let failure: BrokerClientError
            do {
                try await createMissingTopics(cluster)
                return
            } catch {
                failure = error
            }
            switch failure {
            case .connectionFailed, .connectionClosed, .timedOut:
                attempt += 1
                let delay = backoff.delay(attempt: attempt)
                logger.warning("cannot reach the broker to check the subscribed topics; retrying",
                               metadata: ["topics": "\(configuration.topics)", "error": "\(failure)", "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
            default:
                // A cluster that refuses (policy, authorization, an API it lacks): subscribe to what exists.
                logger.warning("could not create the subscribed topics", metadata: ["topics": "\(configuration.topics)", "error": "\(failure)"])
                return
            }
        }
    }

    /// Creates only the missing topics: a cluster that already has them is never asked to create anything.
    private func createMissingTopics(_ cluster: BrokerCluster) async throws(BrokerClientError) {
        let metadata = try await cluster.refreshMetadata(topics: configuration.topics)
        let missing = configuration.topics.filter { topic in
            metadata.topics[topic].map { $0.error != nil || $0.partitions.isEmpty } ?? true
        }
        let admin = BrokerAdmin(cluster: cluster)
        for topic in missing {
            do {
                try await admin.createTopic(topic)
                logger.info("created topic", metadata: ["topic": "\(topic)"])
            } catch .broker(.topicAlreadyExists, _) {
                continue
            }
        }
    }

    private func loop(_ consumer: BrokerConsumer, admin: BrokerAdmin) async throws {
        var pollFailures = 0
        var lastLag = ContinuousClock.now - configuration.lagInterval
        while !Task.isCancelled {
            let records: [ConsumerRecord]
            do {
                records = try await consumer.poll(timeout: configuration.pollTimeout)
                pollFailures = 0
            } catch {
                if Task.isCancelled { throw CancellationError() }
                pollFailures += 1
                let delay = configuration.brokerBackoff.delay(attempt: pollFailures)
                logger.warning("polling failed; retrying", metadata: ["error": "\(error)", "failures": "\(pollFailures)",
                                                                     "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                continue
            }
            var processed: [TopicPartition: Int64] = [:]
            for record in records {
                try await process(record)
                processed[TopicPartition(record.topic, record.partition)] = record.offset + 1
            }
            if !processed.isEmpty {
                // For operators' lag views only; the database holds the offsets the runner resumes from.
                do { try await consumer.commit(processed) } catch {
                    logger.debug("committing offsets to the broker failed", metadata: ["error": "\(error)"])
                }
            }
            if ContinuousClock.now - lastLag >= configuration.lagInterval {
                lastLag = ContinuousClock.now
                await refreshLag(assignment: await consumer.currentAssignment(), admin: admin)
            }
        }
        throw CancellationError()
    }

    /// Seeks each newly assigned partition to the next offset stored in the database; partitions the
    /// database has never seen start at the configured start position.
    func resumeFromStoredOffsets(_ partitions: [TopicPartition], consumer: BrokerConsumer) async {
        let group = configuration.groupId
        do {
            let stored = try await database.read { db in try ConsumerStore.nextOffsets(group: group, db) }
            var fresh: [TopicPartition] = []
            for partition in partitions {
                if let next = stored[partition] { await consumer.seek(partition, to: next) } else { fresh.append(partition) }
            }
            if !fresh.isEmpty {
                switch configuration.startPosition {
                case .earliest: try await consumer.seekToBeginning(fresh)
                case .latest: try await consumer.seekToEnd(fresh)
                }
            }
            logger.info("partitions assigned", metadata: [
                "partitions": "\(partitions)",
                "resumed_at": "\(partitions.compactMap { partition in stored[partition].map { "\(partition)@\($0)" } })",
            ])
        } catch {
            // Partitions left without a position start from the broker's committed offset (or the reset
            // policy); the inbox still keeps a redelivered event from applying twice.
            logger.error("loading stored offsets failed", metadata: ["error": "\(error)", "partitions": "\(partitions)"])
        }
    }

    // MARK: One record

    private func process(_ record: ConsumerRecord) async throws {
        let partition = TopicPartition(record.topic, record.partition)
        let progress = EventApplier.Progress(group: configuration.groupId, partition: partition, nextOffset: record.offset + 1)
        var event: ReceivedEvent
        do {
            event = try ReceivedEvent(record)
        } catch {
            // No envelope: no retry can fix it.
            try await deadLetter(record, error: error, attempts: 1, firstFailure: Date(), progress: progress)
            return
        }
        // Applying is a span of the trace that published the event (none for an event without one); the
        // handler sees the span's own traceparent, so what it writes to its outbox continues from here.
        guard let parent = event.traceparent else { return try await apply(event, record: record, progress: progress) }
        try await Tracing.withSpan("apply \(event.eventType)", kind: .consumer, parent: parent) { span in
            if let span {
                event.headers[EnvelopeHeader.traceparent] = span.context.header
                span.set("messaging.destination.name", record.topic)
                span.set("messaging.message.id", event.eventId)
                span.set("messaging.consumer.group.name", configuration.groupId)
            }
            try await apply(event, record: record, progress: progress)
        }
    }

    private func apply(_ event: ReceivedEvent, record: ConsumerRecord, progress: EventApplier.Progress) async throws {
        let partition = TopicPartition(record.topic, record.partition)
        var firstFailure: Date?
        for attempt in 1...max(1, configuration.maxAttempts) {
            do {
                switch try await applier.apply(event, progress: progress) {
                case .applied: metrics.applied(topic: record.topic).increment()
                case .duplicate:
                    metrics.duplicates(topic: record.topic).increment()
                    logger.debug("duplicate event skipped", metadata: ["event_id": "\(event.eventId)"])
                }
                return
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let failedAt = firstFailure ?? Date()
                firstFailure = failedAt
                metrics.failures(topic: record.topic).increment()
                if attempt >= configuration.maxAttempts {
                    try await deadLetter(record, error: error, attempts: attempt, firstFailure: failedAt, progress: progress)
                    return
                }
                let delay = configuration.retryBackoff.delay(attempt: attempt)
                logger.warning("applying an event failed; retrying", metadata: [
                    "event_id": "\(event.eventId)", "event_type": "\(event.eventType)", "record": "\(partition)@\(record.offset)",
                    "attempt": "\(attempt)", "error": "\(error)", "retry_in": "\(delay)",
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Publishes the record to its dead-letter topic (retrying until the broker acknowledges it), then
    /// moves the stored offset past it.
    private func deadLetter(_ record: ConsumerRecord, error: any Error, attempts: Int, firstFailure: Date,
                            progress: EventApplier.Progress) async throws {
        let topic = Topics.deadLetter(of: record.topic, group: configuration.groupId)
        let headers = DeadLetterHeader.headers(for: record, group: configuration.groupId, error: error, attempts: attempts,
                                               firstFailure: firstFailure)
        var failures = 0
        while true {
            do {
                let producer = try deadLetterProducer.get().producer
                let landed = try await producer.send(topic: topic, key: record.key, value: record.value, headers: headers)
                logger.error("event dead-lettered", metadata: [
                    "record": "\(record.topic)-\(record.partition)@\(record.offset)", "dead_letter": "\(topic)-\(landed.partition)@\(landed.offset)",
                    "attempts": "\(attempts)", "error": "\(error)",
                ])
                break
            } catch let publishError {
                if Task.isCancelled { throw CancellationError() }
                await deadLetterProducer.discard()
                failures += 1
                let delay = configuration.brokerBackoff.delay(attempt: failures)
                logger.error("publishing to the dead-letter topic failed; the record is retried", metadata: [
                    "error": "\(MessagingError.deadLetterPublishFailed(topic: topic, reason: "\(publishError)"))", "retry_in": "\(delay)",
                ])
                try await Task.sleep(for: delay)
            }
        }
        metrics.deadLettered(topic: record.topic).increment()
        var eventType: String?
        if let header = record.headers.first(where: { $0.key == EnvelopeHeader.eventType }), let value = header.value {
            eventType = String(buffer: value)
        }
        let parked = DeadLetteredRecord(topic: record.topic, key: record.key.map { String(decoding: $0, as: UTF8.self) },
                                        eventType: eventType, error: "\(error)")
        if let note = configuration.onDeadLetter {
            try await applier.skip(progress: progress) { db in try note(parked, db) }
        } else {
            try await applier.skip(progress: progress)
        }
    }

    // MARK: Lag

    private func refreshLag(assignment: Set<TopicPartition>, admin: BrokerAdmin) async {
        let group = configuration.groupId
        guard let stored = try? await database.read({ db in try ConsumerStore.nextOffsets(group: group, db) }) else { return }
        for (topic, partitions) in Dictionary(grouping: assignment, by: \.topic) {
            guard let ends = try? await admin.listOffsets(topic: topic, partitions: partitions.map(\.partition), timestamp: -1) else {
                continue
            }
            for partition in partitions {
                guard let end = ends[partition.partition] else { continue }
                let next = stored[partition] ?? 0
                metrics.lag(partition).set(Int64(max(0, end - next)))
            }
        }
    }
}
