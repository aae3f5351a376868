import KafkaWire
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An asynchronous Kafka producer: per-partition batches (linger and size), LZ4 or none, acks 0/1/all,
/// idempotence (producer id, epoch, per-partition sequences) with safe retries, a bounded buffer
/// with back-pressure, and a delivery timeout. Keyed records go to the partition the Java client
/// would choose (murmur2); records without a key stick to one partition per batch.
///
/// Ordering: each partition has at most one request in flight, so retries never reorder records and
/// a retried batch keeps its sequence numbers; different partitions are sent concurrently.
public actor BrokerProducer {
    public let cluster: BrokerCluster
    public let config: ProducerConfig

    private struct PendingRecord {
        var record: RecordBatch.ProducerRecord
        var size: Int
        var continuation: CheckedContinuation<RecordMetadata, Error>?
        var enqueued: ContinuousClock.Instant
        /// For `send(topic:records:)`: the chunk this record belongs to and its index in it.
        var chunk: ChunkWaiter? = nil
        var chunkIndex = 0
    }

    /// Collects the results of one `send(topic:records:)` call, which may span several batches, and
    /// resumes its caller once every record is settled. Only touched on the producer's actor; the
    /// lock makes that provable to the compiler's Sendable checking.
    private final class ChunkWaiter: Sendable {
        private struct State {
            var results: [Result<RecordMetadata, Error>?]
            var remaining: Int
            var continuation: CheckedContinuation<[Result<RecordMetadata, Error>], Never>?
        }
        private let state: Mutex<State>

        init(count: Int) { state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count)) }

        func attach(_ continuation: CheckedContinuation<[Result<RecordMetadata, Error>], Never>) {
            let ready = state.withLock { state -> [Result<RecordMetadata, Error>]? in
                if state.remaining == 0 { return state.results.compactMap { $0 } }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }

        func settle(_ index: Int, _ result: Result<RecordMetadata, Error>) {
            let finished = state.withLock { state -> (CheckedContinuation<[Result<RecordMetadata, Error>], Never>, [Result<RecordMetadata, Error>])? in
                guard state.results[index] == nil else { return nil }
                state.results[index] = result
                state.remaining -= 1
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.results.compactMap { $0 })
            }
            if let (continuation, results) = finished { continuation.resume(returning: results) }
        }
    }

    private struct PartitionKey: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct PartitionQueue {
        var records: [PendingRecord] = []
        var bytes = 0
        var firstEnqueued: ContinuousClock.Instant?
        var inFlight = false
        var nextSequence: Int32 = 0
        /// A sealed batch (sequence assigned) waiting to be resent after a retriable failure.
        var retry: SealedBatch?
    }

    private struct SealedBatch {
        var records: [PendingRecord]
        var baseSequence: Int32
        var attempts = 0
    }

    private var queues: [PartitionKey: PartitionQueue] = [:]
    private var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var producerId: Int64 = -1
    private var producerEpoch: Int16 = -1
    private var stickyPartition: [String: Int32] = [:]
    private var sender: Task<Void, Never>?
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var wakePending = false
    private var closed = false
    private let clock = ContinuousClock()
    private var fireAndForgetErrors: [@Sendable (Error) -> Void] = []
    /// Batches resent after a retriable failure (a dropped connection, a leader change), for metrics.
    public private(set) var retriedBatches = 0

    public init(cluster: BrokerCluster, config: ProducerConfig = ProducerConfig()) throws(BrokerClientError) {
        if config.idempotent && config.acks != .all {
            throw .invalidRequest("an idempotent producer needs acks = all (set idempotent = false for acks 0 or 1)")
        }
        self.cluster = cluster
        self.config = config
    }

    // MARK: Sending

    /// Sends one record and returns where it landed once it is acknowledged as `acks` asks.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
                     partition: Int32? = nil, timestamp: Int64? = nil) async throws -> RecordMetadata {
        let (target, pending) = try await prepare(topic: topic, key: key, value: value, headers: headers,
                                                  partition: partition, timestamp: timestamp)
        return try await withCheckedThrowingContinuation { continuation in
            var record = pending
            record.continuation = continuation
            enqueue(record, to: target)
        }
    }

    /// Sends without waiting; failures go to the handlers registered with `onFireAndForgetError`.
    public func sendWithoutWaiting(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
                                   partition: Int32? = nil) async throws {
        let (target, pending) = try await prepare(topic: topic, key: key, value: value, headers: headers,
                                                  partition: partition, timestamp: nil)
        enqueue(pending, to: target)
    }

    /// Sends many records in one call and returns, in order, where each landed or why it failed: the
    /// fast path for bulk loads that still want every acknowledgement (one actor hop and one
    /// suspension for the whole chunk).
    public func send(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)]) async throws -> [Result<RecordMetadata, Error>] {
        guard !records.isEmpty else { return [] }
        let waiter = ChunkWaiter(count: records.count)
        for (index, record) in records.enumerated() {
            var (target, pending) = try await prepare(topic: topic, key: record.key, value: record.value, headers: [],
                                                      partition: nil, timestamp: nil)
            pending.chunk = waiter
            pending.chunkIndex = index
            enqueue(pending, to: target)
        }
        return await withCheckedContinuation { waiter.attach($0) }
    }

    /// Sends many records without waiting, in one call: the cheap path for bulk loads (one actor hop
    /// for all of them). Failures go to the `onFireAndForgetError` handlers.
    public func sendWithoutWaiting(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)]) async throws {
        for record in records {
            let (target, pending) = try await prepare(topic: topic, key: record.key, value: record.value, headers: [],
                                                      partition: nil, timestamp: nil)
            enqueue(pending, to: target)
        }
    }

    public func onFireAndForgetError(_ handler: @escaping @Sendable (Error) -> Void) {
        fireAndForgetErrors.append(handler)
    }

    /// Waits until every record sent so far is acknowledged or failed.
    public func flush() async {
        wake()
        while bufferedBytes > 0 {
            await withCheckedContinuation { flushWaiters.append($0) }
        }
    }

    /// Flushes, then stops; later sends throw `shutDown`.
    public func close() async {
        await flush()
        closed = true
        sender?.cancel()
        wake()
    }

    private func prepare(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], partition: Int32?,
                         timestamp: Int64?) async throws -> (PartitionKey, PendingRecord) {
        guard !closed else { throw BrokerClientError.shutDown }
        if config.idempotent && producerId < 0 { try await retrying { try await self.initProducerId() } }
        let size = (key?.count ?? 0) + (value?.count ?? 0) + headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.readableBytes ?? 0) } + 24
        guard size <= config.batchBytes else {
            throw BrokerClientError.invalidRequest("record of \(size) bytes is larger than batchBytes \(config.batchBytes)")
        }
        while bufferedBytes + size > config.bufferBytes {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        let chosen = try await choosePartition(topic: topic, key: key, explicit: partition)
        let now = timestamp ?? Self.wallClockMilliseconds()
        let record = RecordBatch.ProducerRecord(keyBytes: key, valueBytes: value, headers: headers, timestamp: now)
        return (PartitionKey(topic: topic, partition: chosen), PendingRecord(record: record, size: size, continuation: nil, enqueued: clock.now))
    }

    /// Retries a metadata or producer-id call after retriable errors (a dropped connection, a broker
    /// restarting), with backoff, for up to the delivery timeout.
    private func retrying<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + config.deliveryTimeout
        while true {
            do {
                return try await body()
            } catch let error as BrokerClientError where error.isRetriable && ContinuousClock.now < deadline {
                try await Task.sleep(for: config.retryBackoff)
            }
        }
    }

    static func wallClockMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// Partition counts per topic, so that choosing a partition needs no hop to the cluster actor.
    private var partitionCounts: [String: Int32] = [:]

    private func choosePartition(topic: String, key: [UInt8]?, explicit: Int32?) async throws -> Int32 {
        let count: Int32
        if let known = partitionCounts[topic] {
            count = known
        } else {
            let cluster = self.cluster
            let metadata = try await retrying { try await cluster.refreshMetadata(topics: [topic], allowAutoCreate: true) }
            guard let info = metadata.topics[topic], info.error == nil, !info.partitions.isEmpty else {
                throw BrokerClientError.broker(metadata.topics[topic]?.error ?? .unknownTopicOrPartition, context: "topic '\(topic)'")
            }
            count = Int32(info.partitions.count)
            partitionCounts[topic] = count
        }
        if let explicit {
            guard explicit >= 0, explicit < count else {
                throw BrokerClientError.broker(.unknownTopicOrPartition, context: "\(topic)-\(explicit)")
            }
            return explicit
        }
        if let key, let partition = Murmur2Partitioner.partition(forKey: key, partitionCount: count) { return partition }
        // Records without a key stick to one partition until its batch is sent (Kafka's sticky partitioner).
        if let sticky = stickyPartition[topic], sticky < count { return sticky }
        let chosen = Int32.random(in: 0..<count)
        stickyPartition[topic] = chosen
        return chosen
    }

    private func enqueue(_ record: PendingRecord, to target: PartitionKey) {
        // Mutate in place: copying the queue out and back would copy its records array on every send.
        let first = queues[target, default: PartitionQueue()].records.isEmpty
        if first { queues[target, default: PartitionQueue()].firstEnqueued = record.enqueued }
        queues[target, default: PartitionQueue()].records.append(record)
        queues[target, default: PartitionQueue()].bytes += record.size
        bufferedBytes += record.size
        let full = (queues[target]?.bytes ?? 0) >= config.batchBytes
        if full { stickyPartition[target.topic] = nil }
        startSender()
        // A new linger deadline or a full batch: the sender must re-plan its sleep.
        if first || full { wake() }
    }

    private func initProducerId() async throws {
        let connection = try await cluster.anyConnection()
        guard case .initProducerId(let response) = try await connection.send(.initProducerId(InitProducerIdRequest(transactionTimeoutMs: 60_000))) else {
            throw BrokerClientError.unsupportedApi(.initProducerId, address: connection.address)
        }
        guard response.errorCode == 0 else {
            throw BrokerClientError.broker(KafkaErrorCode(rawValue: response.errorCode) ?? .unknownServerError, context: "InitProducerId")
        }
        producerId = response.producerId
        producerEpoch = response.producerEpoch
    }

    // MARK: The sender

    private func startSender() {
        guard sender == nil else { return }
        sender = Task { await self.runSender() }
    }

    /// Wakes the sender; a wake-up that arrives before the sender parks is remembered, not lost.
    private func wake() {
        if let waiter = wakeUp {
            wakeUp = nil
            waiter.resume()
        } else {
            wakePending = true
        }
    }

    /// Collects ready batches, sends them grouped by leader, and sleeps until the next linger deadline
    /// or a wake-up.
    private func runSender() async {
        while !Task.isCancelled {
            let ready = takeReadyBatches()
            if !ready.isEmpty {
                await sendBatches(ready)
                continue
            }
            let nextDeadline = queues.values.compactMap { queue -> ContinuousClock.Instant? in
                guard !queue.inFlight, queue.retry == nil, let first = queue.firstEnqueued, !queue.records.isEmpty else { return nil }
                return first + config.linger
            }.min()
            if bufferedBytes == 0 && nextDeadline == nil {
                resumeFlushWaiters()
            }
            if closed && bufferedBytes == 0 { break }
            await withTaskGroup(of: Void.self) { group in
                if let nextDeadline {
                    group.addTask { try? await Task.sleep(until: nextDeadline, clock: ContinuousClock()) }
                }
                group.addTask { await self.waitForWake() }
                await group.next()
                group.cancelAll()
                // Release the waitForWake child: parked, or not yet run (then it must not park at
                // all, or the group would wait for it forever). A spurious flag costs one extra loop.
                self.wake()
            }
        }
        sender = nil
    }

    private func waitForWake() async {
        if wakePending {
            wakePending = false
            return
        }
        await withCheckedContinuation { continuation in
            if let previous = wakeUp { previous.resume() }
            wakeUp = continuation
        }
    }

    private func resumeFlushWaiters() {
        let waiters = flushWaiters
        flushWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Batches whose partition has nothing in flight and that are full, past their linger, or retries.
    private func takeReadyBatches() -> [(PartitionKey, SealedBatch)] {
        let now = clock.now
        var ready: [(PartitionKey, SealedBatch)] = []
        for (key, var queue) in queues where !queue.inFlight {
            if let retry = queue.retry {
                queue.retry = nil
                queue.inFlight = true
                queues[key] = queue
                ready.append((key, retry))
                continue
            }
            guard !queue.records.isEmpty, let first = queue.firstEnqueued else { continue }
            guard queue.bytes >= config.batchBytes || now >= first + config.linger || closed || !flushWaiters.isEmpty else { continue }
            // Take up to batchBytes worth of records.
            var taken = 0, bytes = 0
            while taken < queue.records.count && (taken == 0 || bytes + queue.records[taken].size <= config.batchBytes) {
                bytes += queue.records[taken].size
                taken += 1
            }
            let records = Array(queue.records.prefix(taken))
            queue.records.removeFirst(taken)
            queue.bytes -= bytes
            queue.firstEnqueued = queue.records.first?.enqueued
            let sequence = queue.nextSequence
            queue.nextSequence = sequence &+ Int32(taken)
            if queue.nextSequence < 0 { queue.nextSequence = 0 }  // wraps at Int32.max as Kafka does
            queue.inFlight = true
            queues[key] = queue
            if stickyPartition[key.topic] == key.partition { stickyPartition[key.topic] = nil }
            ready.append((key, SealedBatch(records: records, baseSequence: sequence)))
        }
        return ready
    }

    private func sendBatches(_ batches: [(PartitionKey, SealedBatch)]) async {
        // Group by leader; one Produce request per broker, sent concurrently.
        var byLeader: [ClusterMetadata.Node: [(PartitionKey, SealedBatch)]] = [:]
        for (key, batch) in batches {
            do {
                byLeader[try await cluster.leader(topic: key.topic, partition: key.partition), default: []].append((key, batch))
            } catch {
                await finish(key, batch, result: .retry(error))
            }
        }
        let requests = byLeader.map { ($0.key, $0.value) }
        let producerId = self.producerId, epoch = self.producerEpoch, config = self.config, cluster = self.cluster
        let outcomes = await withTaskGroup(of: [(PartitionKey, SealedBatch, BatchResult)].self) { group in
            for (node, entries) in requests {
                group.addTask {
                    await Self.produce(entries, to: node, cluster: cluster, config: config, producerId: producerId, epoch: epoch)
                }
            }
            var all: [(PartitionKey, SealedBatch, BatchResult)] = []
            for await results in group { all += results }
            return all
        }
        for (key, batch, result) in outcomes { await finish(key, batch, result: result) }
    }

    enum BatchResult {
        case acknowledged(baseOffset: Int64)
        case retry(Error)
        case failed(Error)
    }

    private static func produce(_ entries: [(PartitionKey, SealedBatch)], to node: ClusterMetadata.Node, cluster: BrokerCluster,
                                config: ProducerConfig, producerId: Int64, epoch: Int16) async -> [(PartitionKey, SealedBatch, BatchResult)] {
        var topics: [String: [ProduceRequest.Partition]] = [:]
        for (key, batch) in entries {
            let recordBatch = RecordBatch(producing: batch.records.map(\.record),
                                          producerId: config.idempotent ? producerId : -1,
                                          producerEpoch: config.idempotent ? epoch : -1,
                                          baseSequence: config.idempotent ? batch.baseSequence : -1)
            do {
                topics[key.topic, default: []].append(.init(index: key.partition, records: try recordBatch.encoded(compression: config.compression)))
            } catch {
                return entries.map { ($0.0, $0.1, .failed(error)) }
            }
        }
        let request = ProduceRequest(acks: config.acks.rawValue, timeoutMs: Int32(config.requestTimeout.components.seconds * 1000),
                                     topics: topics.map { .init(name: $0.key, partitions: $0.value) })
        do {
            let connection = try await cluster.connection(to: node)
            if config.acks == .none {
                try connection.sendWithoutResponse(.produce(request))
                return entries.map { ($0.0, $0.1, .acknowledged(baseOffset: -1)) }
            }
            guard case .produce(let response) = try await connection.send(.produce(request), timeout: config.requestTimeout) else {
                return entries.map { ($0.0, $0.1, .failed(BrokerClientError.unsupportedApi(.produce, address: node.address))) }
            }
            var answers: [PartitionKey: ProduceResponse.Partition] = [:]
            for topic in response.topics {
                for partition in topic.partitions { answers[PartitionKey(topic: topic.name, partition: partition.index)] = partition }
            }
            return entries.map { key, batch in
                guard let answer = answers[key] else {
                    return (key, batch, .retry(BrokerClientError.broker(.unknownServerError, context: "no answer for \(key.topic)-\(key.partition)")))
                }
                if answer.errorCode == 0 { return (key, batch, .acknowledged(baseOffset: answer.baseOffset)) }
                let code = KafkaErrorCode(rawValue: answer.errorCode) ?? .unknownServerError
                let error = BrokerClientError.broker(code, context: "producing to \(key.topic)-\(key.partition)"
                                                     + (answer.errorMessage.map { ": \($0)" } ?? ""))
                return (key, batch, error.isRetriable ? .retry(error) : .failed(error))
            }
        } catch {
            // The connection failed: whether the broker appended is unknown, so retry with the same
            // sequence numbers; idempotence turns a second append into "duplicate, here is the offset".
            return entries.map { ($0.0, $0.1, .retry(error)) }
        }
    }

    private func finish(_ key: PartitionKey, _ batch: SealedBatch, result: BatchResult) async {
        var outcome = result
        if case .retry(let error) = result {
            let oldest = batch.records.map(\.enqueued).min() ?? clock.now
            if clock.now - oldest > config.deliveryTimeout {
                outcome = .failed(BrokerClientError.timedOut(operation: "delivery (\(error))", address: "\(key.topic)-\(key.partition)"))
            } else if !config.idempotent && config.acks == .none {
                outcome = .failed(error)
            }
        }
        switch outcome {
        case .retry:
            retriedBatches += 1
            var retried = batch
            retried.attempts += 1
            queues[key]?.retry = retried
            queues[key]?.inFlight = false
            if let metadata = try? await cluster.refreshMetadata(topics: [key.topic]), let info = metadata.topics[key.topic],
               info.error == nil, !info.partitions.isEmpty {
                partitionCounts[key.topic] = Int32(info.partitions.count)
            }
            try? await Task.sleep(for: config.retryBackoff)
            return
        case .acknowledged(let baseOffset):
            for (index, record) in batch.records.enumerated() {
                let metadata = RecordMetadata(topic: key.topic, partition: key.partition,
                                              offset: baseOffset < 0 ? -1 : baseOffset + Int64(index))
                record.continuation?.resume(returning: metadata)
                record.chunk?.settle(record.chunkIndex, .success(metadata))
            }
        case .failed(let error):
            for record in batch.records {
                if let continuation = record.continuation {
                    continuation.resume(throwing: error)
                } else if let chunk = record.chunk {
                    chunk.settle(record.chunkIndex, .failure(error))
                } else {
                    for handler in fireAndForgetErrors { handler(error) }
                }
            }
        }
        queues[key]?.inFlight = false
        let released = batch.records.reduce(0) { $0 + $1.size }
        bufferedBytes -= released
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        if bufferedBytes == 0 { resumeFlushWaiters() }
    }
}
