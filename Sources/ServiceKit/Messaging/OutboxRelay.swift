import BrokerClient
import Contracts
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// Publishes committed outbox rows to the broker: wakes on commit (`OutboxSignal`) and on a timer,
/// sends unpublished rows in id order per aggregate through an idempotent acks=all producer, and marks
/// a row published only after its delivery is acknowledged. A failing pass leaves its rows unpublished
/// and is retried with capped backoff. Exposes its lag and purges old published rows.
///
/// Delivery: a row is marked after its acknowledgement, so a crash (or a lost acknowledgement) between
/// the broker's append and the mark leaves it "in doubt". Before sending an in-doubt row again, the relay
/// reads the topic from just before the row's first attempt and marks the row published if its event id
/// is already there. With one relay per database this publishes every row exactly once; consumers still
/// deduplicate by event id (the inbox), which covers the cases this cannot (a second relay on the same
/// database, a topic truncated by retention).
///
/// Run exactly one relay per database, inside the service's `ServiceGroup`.
public final class OutboxRelay: Service, Sendable {
    /// Points where tests inject failures.
    struct Hooks: Sendable {
        /// Called after rows were acknowledged and before they are marked; throwing skips the mark, as
        /// if the process died there.
        var afterAcknowledged: (@Sendable ([String]) async throws -> Void)?
    }

    let database: ServiceDatabase
    let configuration: OutboxRelayConfiguration
    let logger: Logger
    private let metrics: OutboxRelayMetrics
    private let client: ManagedProducer

    /// - Parameters:
    ///   - bootstrap: the broker addresses, HOST:PORT.
    ///   - metrics: the service's registry; the relay registers `outbox_unpublished_rows`,
    ///     `outbox_oldest_unpublished_age_seconds`, `outbox_published_total`, `outbox_failed_passes_total`
    ///     and `outbox_purged_total`, labelled with the service name.
    public init(database: ServiceDatabase, bootstrap: [String], configuration: OutboxRelayConfiguration,
                metrics: PrometheusCollectorRegistry, logger: Logger) throws(BrokerClientError) {
        client = try ManagedProducer(bootstrap: bootstrap, clientId: configuration.serviceName + "-outbox",
                                     deliveryTimeout: configuration.deliveryTimeout)
        self.database = database
        self.configuration = configuration
        self.metrics = OutboxRelayMetrics(registry: metrics, service: configuration.serviceName)
        var logger = logger
        logger[metadataKey: "component"] = "outbox-relay"
        self.logger = logger
    }

    // MARK: Running

    /// Runs until graceful shutdown (or cancellation). A pass in flight at shutdown finishes first, so
    /// acknowledged rows get marked; it is bounded by the delivery timeout.
    public func run() async throws {
        logger.info("outbox relay started", metadata: ["database": "\(database.path)"])
        defer { logger.info("outbox relay stopped") }
        let (finished, finish) = AsyncStream<Void>.makeStream()
        let loop = Task {
            do {
                try await self.loop()
            } catch is CancellationError {
                // Shutdown: not an error.
            } catch {
                self.logger.error("outbox relay loop ended", metadata: ["error": "\(error)"])
            }
            finish.finish()
        }
        // Until graceful shutdown (or cancellation of this task).
        try? await gracefulShutdown()
        loop.cancel()
        // A pass in flight may finish and mark what was acknowledged, but a broker that does not answer
        // must not hold up the process: after `shutdownGrace` the relay stops anyway. Rows it leaves
        // unmarked are in doubt and reconciled against the topic on the next start (no duplicates).
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in finished {} }
            group.addTask { try? await Task.sleep(for: self.configuration.shutdownGrace) }
            await group.next()
            group.cancelAll()
        }
        await client.discard()
    }

    private func loop() async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let signal = OutboxSignal.shared.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signal { wake.yield() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: self.configuration.pollInterval)
                    await self.refreshLagMetrics()
                    wake.yield()
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    await self.purgeLoggingErrors()
                    try await Task.sleep(for: self.configuration.purgeInterval)
                }
            }
            wake.yield()
            var failures = 0
            for await _ in wakes {
                do {
                    let published = try await publishPending()
                    if failures > 0 {
                        logger.notice("outbox relay recovered", metadata: ["failed_passes": "\(failures)", "published": "\(published)"])
                    }
                    failures = 0
                    // A full batch: more rows are likely waiting.
                    if published >= configuration.batchSize { wake.yield() }
                } catch is CancellationError {
                    break
                } catch {
                    failures += 1
                    metrics.failedPasses.increment()
                    let delay = configuration.backoff.delay(attempt: failures)
                    let waiting = (try? await database.read { db in try OutboxStore.lag(db).count }) ?? -1
                    logger.warning("outbox publish failed; rows stay unpublished and are retried", metadata: [
                        "error": "\(error)", "failed_passes": "\(failures)", "unpublished": "\(waiting)",
                        "retry_in": "\(delay)",
                    ])
                    // Wake-ups that arrive during the backoff collapse into one pass after it.
                    try await Task.sleep(for: delay)
                }
            }
            group.cancelAll()
        }
    }

    /// Closes the producer's connections (`run()` does this itself when it ends).
    func close() async { await client.discard() }

    // MARK: One pass

    /// Publishes the oldest unpublished rows (one batch) and returns how many were published. Throws if
    /// any row of the batch could not be published; the others are marked regardless. Called by `run()`
    /// only: two concurrent passes on one database could send a row twice.
    @discardableResult
    func publishPending() async throws -> Int {
        let limit = configuration.batchSize
        let rows = try await database.read { db in try OutboxStore.unpublished(limit: limit, db) }
        guard !rows.isEmpty else {
            await refreshLagMetrics()
            return 0
        }
        let (cluster, producer) = try client.get()

        // Rows a previous attempt may already have delivered: look for them in the topic first.
        var alreadyThere: Set<String> = []
        let inDoubt = rows.filter { $0.firstAttemptAt != nil }
        if !inDoubt.isEmpty {
            do {
                alreadyThere = try await InDoubtReconciler(cluster: cluster, lookback: configuration.inDoubtLookback)
                    .eventIdsAlreadyPublished(inDoubt)
            } catch {
                await client.discard()
                throw MessagingError.publishFailed(eventIds: inDoubt.map(\.eventId),
                                                   reason: "checking in-doubt rows in the topic: \(error)")
            }
            if !alreadyThere.isEmpty {
                logger.notice("in-doubt outbox rows were already in the topic; marking them without sending again",
                              metadata: ["event_ids": "\(alreadyThere.sorted())"])
            }
        }
        let toSend = rows.filter { !alreadyThere.contains($0.eventId) }
        let attemptedIds = toSend.map(\.id)
        try await database.write { db in try OutboxStore.markAttempted(ids: attemptedIds, at: Date(), db) }

        let outcome = await send(toSend, producer: producer)
        let acknowledged = rows.filter { alreadyThere.contains($0.eventId) } + outcome.acknowledged
        if let hook = configuration.hooks.afterAcknowledged {
            try await hook(acknowledged.map(\.eventId))
        }
        let ids = acknowledged.map(\.id)
        let failures = outcome.failures
        let failureTexts = failures.map { (id: $0.row.id, error: "\($0.error)") }
        let database = self.database
        // An unstructured task: a shutdown that cancels the pass must not cancel the mark of rows the
        // broker has already acknowledged.
        try await Task {
            try await database.write { db in
                try OutboxStore.markPublished(ids: ids, at: Date(), db)
                for failure in failureTexts { try OutboxStore.recordFailure(id: failure.id, error: failure.error, db) }
            }
        }.value
        metrics.published.increment(by: Int64(acknowledged.count))
        await refreshLagMetrics()
        guard failures.isEmpty else {
            await client.discard()
            throw MessagingError.publishFailed(eventIds: failures.map(\.row.eventId),
                                               reason: failures.first.map { "\($0.error)" } ?? "unknown")
        }
        return acknowledged.count
    }

    private struct SendOutcome: Sendable {
        var acknowledged: [OutboxRow] = []
        var failures: [(row: OutboxRow, error: any Error)] = []
    }

    /// Sends each aggregate's rows one after another (so a failure stops that aggregate, never reorders
    /// it) and different aggregates concurrently (so the producer batches them).
    private func send(_ rows: [OutboxRow], producer: BrokerProducer) async -> SendOutcome {
        var chains: [[OutboxRow]] = []
        var chainIndex: [String: Int] = [:]
        for row in rows {
            let key = row.topic + "\u{0}" + row.aggregateId
            if let index = chainIndex[key] {
                chains[index].append(row)
            } else {
                chainIndex[key] = chains.count
                chains.append([row])
            }
        }
        let producerName = configuration.serviceName
        return await withTaskGroup(of: SendOutcome.self) { group in
            for chain in chains {
                group.addTask {
                    var outcome = SendOutcome()
                    for row in chain {
                        var span: Span?
                        defer { span?.end() }
                        do {
                            var stored = try row.storedHeaders()
                            // The publish is a span of the trace that wrote the row (none for a row without one);
                            // the record carries the span's own traceparent, so consumers continue from it.
                            if let parent = stored[EnvelopeHeader.traceparent],
                               let publish = Tracing.startSpan("publish \(row.eventType)", kind: .producer, parent: parent) {
                                publish.set("messaging.destination.name", row.topic)
                                publish.set("messaging.message.id", row.eventId)
                                stored[EnvelopeHeader.traceparent] = publish.context.header
                                span = publish
                            }
                            _ = try await producer.send(topic: row.topic, key: Array(row.aggregateId.utf8),
                                                        value: row.payload, headers: row.recordHeaders(stored, producer: producerName))
                            outcome.acknowledged.append(row)
                        } catch {
                            span?.fail("\(error)")
                            outcome.failures.append((row, error))
                            break
                        }
                    }
                    return outcome
                }
            }
            var total = SendOutcome()
            for await outcome in group {
                total.acknowledged += outcome.acknowledged
                total.failures += outcome.failures
            }
            total.acknowledged.sort { $0.id < $1.id }
            return total
        }
    }

    // MARK: Lag and retention

    /// Sets the lag gauges from the table.
    func refreshLagMetrics() async {
        do {
            let (count, oldest) = try await database.read { db in try OutboxStore.lag(db) }
            metrics.unpublished.set(Int64(count))
            let age = oldest.flatMap(Timestamp.parse).map { max(0, Date().timeIntervalSince($0)) } ?? 0
            metrics.oldestAge.set(age)
        } catch {
            logger.warning("reading the outbox lag failed", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes rows published more than `retention` ago; returns how many.
    @discardableResult
    public func purge(now: Date = Date()) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Self.seconds(configuration.retention))
        let purged = try await database.write { db in try OutboxStore.purge(publishedBefore: cutoff, db) }
        metrics.purged.increment(by: Int64(purged))
        if purged > 0 { logger.debug("purged published outbox rows", metadata: ["rows": "\(purged)"]) }
        return purged
    }

    private func purgeLoggingErrors() async {
        do { try await purge() } catch { logger.warning("purging the outbox failed", metadata: ["error": "\(error)"]) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
