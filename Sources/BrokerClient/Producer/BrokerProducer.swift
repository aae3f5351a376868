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
/// Records are encoded into their partition's batch as they are sent (`RecordBatchBuilder`); the
/// producer keeps only how to settle them (a continuation, a chunk's waiter, or nothing for
/// fire-and-forget), one entry per run of records from one call. A batch is sealed (sequence
/// assigned, header, CRC, compression) when it is full or its linger has passed.
///
/// Ordering: an idempotent producer keeps up to `maxInFlightPerPartition` batches of a partition
/// in flight, written to the leader's connection in sequence order, all to the same connection (a
/// batch never overtakes an earlier one still out on another connection); after a retriable failure it
/// resends from the failed batch on, in order, with the same sequence numbers (a batch rejected
/// as out of order behind a failed one is resent too), so the log has no duplicate, gap or
/// reordering. A producer without idempotence keeps one batch per partition in flight.
public actor BrokerProducer {
    public let cluster: BrokerCluster
    public let config: ProducerConfig

    var topics: [String: TopicState] = [:]
    var bufferedBytes = 0
    var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    var flushWaiters: [CheckedContinuation<Void, Never>] = []
    var producerId: Int64 = -1
    var producerEpoch: Int16 = -1
    var producerIdRequest: Task<Void, Error>?
    var sender: Task<Void, Never>?
    var wakeUp: CheckedContinuation<Void, Never>?
    var wakePending = false
    /// Counts parks, so that a deadline timer only ends the park that started it.
    var parkGeneration: UInt64 = 0
    var closed = false
    let clock = ContinuousClock()
    var fireAndForgetErrors: [@Sendable (Error) -> Void] = []
    let maxInFlight: Int
    static let initialBatchCapacity = 16 << 10
    /// Batches resent after a retriable failure (a dropped connection, a leader change), for metrics.
    public internal(set) var retriedBatches = 0

    public init(cluster: BrokerCluster, config: ProducerConfig = ProducerConfig()) throws(BrokerClientError) {
        if config.idempotent && config.acks != .all {
            throw .invalidRequest("an idempotent producer needs acks = all (set idempotent = false for acks 0 or 1)")
        }
        guard config.maxInFlightPerPartition >= 1 else {
            throw .invalidRequest("maxInFlightPerPartition must be at least 1")
        }
        self.cluster = cluster
        self.config = config
        maxInFlight = config.idempotent ? min(config.maxInFlightPerPartition, ProducerConfig.idempotentInFlightLimit) : 1
    }

    // MARK: Sending

    /// Sends one record and returns where it landed once it is acknowledged as `acks` asks.
    public func send(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
                     partition: Int32? = nil, timestamp: Int64? = nil) async throws -> RecordMetadata {
        let size = try prepareRecord(key: key, value: value, headers: headers)
        let state = try await prepare(topic: topic, explicitPartition: partition, bytes: size)
        // Cancelling the caller stops the wait with CancellationError; a record already queued may still
        // be delivered (as with any Kafka client, a send cannot be taken back once handed over).
        let delivery = SingleDelivery()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delivery.install(continuation)
                do {
                    try appendOne(topic: topic, state: state, key: key, value: value, headers: headers, partition: partition,
                                  timestamp: timestamp, settle: .single(delivery))
                } catch {
                    delivery.resume(.failure(error))
                }
            }
        } onCancel: {
            delivery.resume(.failure(CancellationError()))
        }
    }

    /// Sends without waiting; failures go to the handlers registered with `onFireAndForgetError`.
    public func sendWithoutWaiting(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
                                   partition: Int32? = nil) async throws {
        let size = try prepareRecord(key: key, value: value, headers: headers)
        let state = try await prepare(topic: topic, explicitPartition: partition, bytes: size)
        try appendOne(topic: topic, state: state, key: key, value: value, headers: headers, partition: partition,
                      timestamp: nil, settle: .fireAndForget(count: 1))
    }

    /// Sends many records in one call and returns, in order, where each landed or why it failed: the
    /// fast path for bulk loads that still want every acknowledgement (one actor hop and one
    /// suspension for the whole chunk; the records are encoded as they are taken).
    public nonisolated func send(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)]) async throws -> [Result<RecordMetadata, Error>] {
        guard !records.isEmpty else { return [] }
        let waiter = ChunkWaiter(topic: topic, count: records.count)
        try await enqueue(topic: topic, records: records, waiter: waiter)
        let segments = await waiter.wait()
        return waiter.results(segments)
    }

    /// Sends many records without waiting, in one call: the cheap path for bulk loads (one actor hop
    /// for all of them). Failures go to the `onFireAndForgetError` handlers.
    public func sendWithoutWaiting(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)]) async throws {
        try await enqueue(topic: topic, records: records, waiter: nil)
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

    // MARK: Preparing

    /// Checks a record against `batchBytes`; returns the bytes it is expected to take.
    nonisolated func prepareRecord(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) throws -> Int {
        let size = RecordBatch.headerSize + RecordBatchBuilder.recordSize(
            keyCount: key?.count, valueCount: value?.count, headers: headers, timestampDelta: 0, offsetDelta: 0)
        guard size <= config.batchBytes else {
            throw BrokerClientError.invalidRequest("record of \(size) bytes is larger than batchBytes \(config.batchBytes)")
        }
        return size - RecordBatch.headerSize
    }

    /// The topic's state once the producer id and the topic's partition count are known, an explicit
    /// partition checked, and `bytes` fit in the buffer (waits for space).
    func prepare(topic: String, explicitPartition: Int32?, bytes: Int) async throws -> TopicState {
        let state = try await topicState(topic)
        if let explicit = explicitPartition, explicit < 0 || Int(explicit) >= state.partitions.count {
            throw BrokerClientError.broker(.unknownTopicOrPartition, context: "\(topic)-\(explicit)")
        }
        while bufferedBytes > 0 && bufferedBytes + bytes > config.bufferBytes {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        guard !closed else { throw BrokerClientError.shutDown }
        return state
    }

    func topicState(_ topic: String) async throws -> TopicState {
        guard !closed else { throw BrokerClientError.shutDown }
        if config.idempotent && producerId < 0 { try await ensureProducerId() }
        if let known = topics[topic] { return known }
        let cluster = self.cluster
        let metadata = try await retrying { try await cluster.refreshMetadata(topics: [topic], allowAutoCreate: true) }
        guard let info = metadata.topics[topic], info.error == nil, !info.partitions.isEmpty else {
            throw BrokerClientError.broker(metadata.topics[topic]?.error ?? .unknownTopicOrPartition, context: "topic '\(topic)'")
        }
        // Another call may have created it while this one waited.
        let state = topics[topic] ?? TopicState(name: topic)
        state.grow(to: Int32(info.partitions.count), capacityHint: Self.initialBatchCapacity)
        topics[topic] = state
        return state
    }

    /// Retries a metadata or producer-id call after retriable errors (a dropped connection, a broker
    /// restarting), with backoff, for up to the delivery timeout.
    func retrying<T: Sendable>(_ body: () async throws -> T) async throws -> T {
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

    /// One InitProducerId for all the sends that start before the producer has an id (a burst of
    /// concurrent first sends must not fetch one id each).
    func ensureProducerId() async throws {
        if let pending = producerIdRequest { return try await pending.value }
        let request = Task { try await self.retrying { try await self.initProducerId() } }
        producerIdRequest = request
        defer { producerIdRequest = nil }
        try await request.value
    }

    func initProducerId() async throws {
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

}
