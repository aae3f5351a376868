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

    /// How a run of consecutive records of one batch, from one call, is settled.
    private enum Settle: Sendable {
        /// One record from `send(topic:key:value:...)`.
        case single(SingleDelivery)
        /// Records `first..<first + count` of a `send(topic:records:)` chunk.
        case chunk(ChunkWaiter, first: Int, count: Int)
        /// Records sent without waiting: failures go to the `onFireAndForgetError` handlers.
        case fireAndForget(count: Int)

        var count: Int {
            switch self {
            case .single: 1
            case .chunk(_, _, let count), .fireAndForget(let count): count
            }
        }
    }

    /// Collects the outcomes of one `send(topic:records:)` call, which may span several batches, as
    /// ranges, and resumes its caller once every record is settled; the caller turns the ranges
    /// into per-record results off the producer's actor.
    private final class ChunkWaiter: Sendable {
        enum Outcome: Sendable {
            case landed(partition: Int32, baseOffset: Int64)
            case failed(any Error)
        }
        struct Segment: Sendable {
            var first: Int
            var count: Int
            var outcome: Outcome
        }
        private struct State {
            var segments: [Segment] = []
            var remaining: Int
            var continuation: CheckedContinuation<[Segment], Never>?
        }
        let topic: String
        let count: Int
        private let state: Mutex<State>

        init(topic: String, count: Int) {
            self.topic = topic
            self.count = count
            state = Mutex(State(remaining: count))
        }

        func wait() async -> [Segment] {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Segment], Never>) in
                let ready = state.withLock { state -> [Segment]? in
                    if state.remaining == 0 { return state.segments }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        /// Settles records `first..<first + count`; each record is settled once (its batch is
        /// acknowledged or failed once).
        func settle(first: Int, count: Int, _ outcome: Outcome) {
            let finished = state.withLock { state -> (CheckedContinuation<[Segment], Never>, [Segment])? in
                state.segments.append(Segment(first: first, count: count, outcome: outcome))
                state.remaining -= count
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.segments)
            }
            if let (continuation, segments) = finished { continuation.resume(returning: segments) }
        }

        /// Per-record results, in the order the records were given.
        func results(_ segments: [Segment]) -> [Result<RecordMetadata, Error>] {
            var results: [Result<RecordMetadata, Error>] = []
            results.reserveCapacity(count)
            for segment in segments.sorted(by: { $0.first < $1.first }) {
                switch segment.outcome {
                case .landed(let partition, let baseOffset):
                    for index in 0..<segment.count {
                        results.append(.success(RecordMetadata(
                            topic: topic, partition: partition, offset: baseOffset < 0 ? -1 : baseOffset + Int64(index))))
                    }
                case .failed(let error):
                    results.append(contentsOf: repeatElement(.failure(error), count: segment.count))
                }
            }
            return results
        }
    }

    /// A sealed batch: its wire bytes (resent unchanged on retry) and how to settle its records.
    private struct SealedBatch: Sendable {
        var bytes: ByteBuffer
        var records: Int
        /// Position among the partition's batches (sequence order, without wrapping).
        var ordinal: Int
        var settles: [Settle]
        var firstEnqueued: ContinuousClock.Instant
        /// Bytes counted in `bufferedBytes` until the batch is settled.
        var accounted: Int
        /// Times it was sent and came back retriable.
        var attempts = 0
    }

    /// One partition: the batch being filled, sealed batches waiting to be sent (in sequence
    /// order), and what is in flight. Lives only on the producer's actor.
    private final class PartitionState {
        var builder: RecordBatchBuilder
        var settles: [Settle] = []
        var openBytes = 0
        var firstEnqueued: ContinuousClock.Instant?
        var queued: [SealedBatch] = []
        var inFlight = 0
        /// Sealed batches waiting out a retry backoff before they are queued again.
        var backingOff = 0
        /// Ordinals of batches sealed and not yet settled, ascending.
        var unsettled: [Int] = []
        var nextSequence: Int32 = 0
        var nextOrdinal = 0
        var capacityHint: Int
        /// Ordinals of batches written to a connection and not answered yet, and that connection.
        /// Only one connection keeps a partition's batches in order on the broker: a later batch
        /// written to another (after a drop, a leader change) could be appended before an earlier
        /// one still on its way, and the broker accepts any sequence from a producer it has no
        /// state for (the first batches of a producer).
        var written: [Int] = []
        var writtenTo: BrokerConnection?
        /// A batch was held back because the leader's connection is no longer `writtenTo`: send
        /// nothing until every written batch is answered (or failed, then resent in order).
        var drainBeforeSwitch = false

        init(capacityHint: Int) {
            self.capacityHint = capacityHint
            builder = RecordBatchBuilder(capacity: capacityHint)
        }
    }

    private final class TopicState {
        let name: String
        var partitions: [PartitionState] = []
        /// Where records without a key go until that partition's batch is sealed.
        var sticky: Int32?

        init(name: String) { self.name = name }

        func grow(to count: Int32, capacityHint: Int) {
            while partitions.count < Int(count) { partitions.append(PartitionState(capacityHint: capacityHint)) }
        }
    }

    private var topics: [String: TopicState] = [:]
    private var bufferedBytes = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var producerId: Int64 = -1
    private var producerEpoch: Int16 = -1
    private var producerIdRequest: Task<Void, Error>?
    private var sender: Task<Void, Never>?
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var wakePending = false
    /// Counts parks, so that a deadline timer only ends the park that started it.
    private var parkGeneration: UInt64 = 0
    private var closed = false
    private let clock = ContinuousClock()
    private var fireAndForgetErrors: [@Sendable (Error) -> Void] = []
    private let maxInFlight: Int
    private static let initialBatchCapacity = 16 << 10
    /// Batches resent after a retriable failure (a dropped connection, a leader change), for metrics.
    public private(set) var retriedBatches = 0

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
    private nonisolated func prepareRecord(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) throws -> Int {
        let size = RecordBatch.headerSize + RecordBatchBuilder.recordSize(
            keyCount: key?.count, valueCount: value?.count, headers: headers, timestampDelta: 0, offsetDelta: 0)
        guard size <= config.batchBytes else {
            throw BrokerClientError.invalidRequest("record of \(size) bytes is larger than batchBytes \(config.batchBytes)")
        }
        return size - RecordBatch.headerSize
    }

    /// The topic's state once the producer id and the topic's partition count are known, an explicit
    /// partition checked, and `bytes` fit in the buffer (waits for space).
    private func prepare(topic: String, explicitPartition: Int32?, bytes: Int) async throws -> TopicState {
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

    private func topicState(_ topic: String) async throws -> TopicState {
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

    /// One InitProducerId for all the sends that start before the producer has an id (a burst of
    /// concurrent first sends must not fetch one id each).
    private func ensureProducerId() async throws {
        if let pending = producerIdRequest { return try await pending.value }
        let request = Task { try await self.retrying { try await self.initProducerId() } }
        producerIdRequest = request
        defer { producerIdRequest = nil }
        try await request.value
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

    // MARK: Appending

    /// The partition of a record: explicit, by key (murmur2), or the topic's sticky partition.
    private func partition(for key: [UInt8]?, explicit: Int32?, in state: TopicState) -> Int32 {
        if let explicit { return explicit }
        let count = Int32(state.partitions.count)
        if let key, let partition = Murmur2Partitioner.partition(forKey: key, partitionCount: count) { return partition }
        if let sticky = state.sticky, sticky < count { return sticky }
        let chosen = Int32.random(in: 0..<count)
        state.sticky = chosen
        return chosen
    }

    private func appendOne(topic: String, state: TopicState, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader],
                           partition explicit: Int32?, timestamp: Int64?, settle: Settle) throws {
        guard !closed else { throw BrokerClientError.shutDown }
        let timestamp = timestamp ?? Self.wallClockMilliseconds()
        let now = clock.now
        var wakeSender = false
        while true {
            let partition = self.partition(for: key, explicit: explicit, in: state)
            let target = state.partitions[Int(partition)]
            if !target.builder.isEmpty, target.builder.sizeInBytes + target.builder.sizeOfNextRecord(
                keyCount: key?.count, valueCount: value?.count, headers: headers, timestamp: timestamp) > config.batchBytes {
                seal(target, topic: state, partition: partition)
                wakeSender = true
                if key == nil && explicit == nil { continue }  // a full sticky batch: choose a new partition
            }
            if target.builder.isEmpty {
                target.firstEnqueued = now
                wakeSender = true
            }
            let written = try target.builder.append(key: key, value: value, headers: headers, timestamp: timestamp)
            target.openBytes += written
            bufferedBytes += written
            target.settles.append(settle)
            break
        }
        startSender()
        if wakeSender { wake() }
    }

    /// Appends a chunk of records, waiting for buffer space as needed. Records are settled in runs:
    /// one `Settle` per stretch of consecutive records landing in one batch.
    private func enqueue(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)], waiter: ChunkWaiter?) async throws {
        var largest = 0
        for record in records {
            largest = max(largest, try prepareRecord(key: record.key, value: record.value, headers: []))
        }
        var index = 0
        while index < records.count {
            let state = try await prepare(topic: topic, explicitPartition: nil, bytes: largest)
            index = try appendRun(topic: state, records: records, from: index, waiter: waiter)
        }
    }

    /// Appends records from `start` until the buffer is full; returns where it stopped.
    private func appendRun(topic state: TopicState, records: [(key: [UInt8]?, value: [UInt8]?)], from start: Int,
                           waiter: ChunkWaiter?) throws -> Int {
        let timestamp = Self.wallClockMilliseconds()
        let now = clock.now
        let batchBytes = config.batchBytes, bufferBytes = config.bufferBytes
        var wakeSender = false
        var runTarget: PartitionState?
        var runStart = start
        var index = start
        func closeRun() {
            guard let target = runTarget, index > runStart else { return }
            let count = index - runStart
            if let waiter {
                target.settles.append(.chunk(waiter, first: runStart, count: count))
            } else {
                target.settles.append(.fireAndForget(count: count))
            }
            runTarget = nil
        }
        defer {
            closeRun()
            startSender()
            if wakeSender { wake() }
        }
        while index < records.count {
            let key = records[index].key, value = records[index].value
            let partition = self.partition(for: key, explicit: nil, in: state)
            let target = state.partitions[Int(partition)]
            let size = target.builder.sizeOfNextRecord(keyCount: key?.count, valueCount: value?.count, timestamp: timestamp)
            // The first record always goes in (the caller waited for room): progress is guaranteed.
            if index > start && bufferedBytes + size > bufferBytes { break }
            if target !== runTarget {
                closeRun()
                runTarget = target
                runStart = index
            }
            if !target.builder.isEmpty && target.builder.sizeInBytes + size > batchBytes {
                closeRun()
                seal(target, topic: state, partition: partition)
                wakeSender = true
                if key == nil { continue }  // a full sticky batch: choose a new partition
                runTarget = target
                runStart = index
            }
            if target.builder.isEmpty {
                target.firstEnqueued = now
                wakeSender = true
            }
            let written = try target.builder.append(key: key, value: value, timestamp: timestamp)
            target.openBytes += written
            bufferedBytes += written
            index += 1
        }
        return index
    }

    /// Closes the partition's open batch: assigns its sequence numbers and encodes it for the wire.
    private func seal(_ target: PartitionState, topic: TopicState, partition: Int32) {
        guard !target.builder.isEmpty else { return }
        if topic.sticky == partition { topic.sticky = nil }
        let records = target.builder.count
        let plainSize = target.builder.sizeInBytes
        let sequence = target.nextSequence
        let settles = target.settles, accounted = target.openBytes
        let firstEnqueued = target.firstEnqueued ?? clock.now
        target.settles = []
        target.openBytes = 0
        target.firstEnqueued = nil
        target.capacityHint = min(config.batchBytes, max(Self.initialBatchCapacity, plainSize + plainSize / 8))
        let bytes: ByteBuffer
        do {
            bytes = try target.builder.finish(
                producerId: config.idempotent ? producerId : -1, producerEpoch: config.idempotent ? producerEpoch : -1,
                baseSequence: config.idempotent ? sequence : -1, compression: config.compression,
                nextCapacity: target.capacityHint)
        } catch {
            target.builder = RecordBatchBuilder(capacity: target.capacityHint)
            bufferedBytes -= accounted
            settle(settles, topic: topic.name, partition: partition, result: .failure(error))
            releaseSpace()
            return
        }
        // Sequences wrap from Int32.max to 0, as Kafka's do.
        target.nextSequence = Int32(truncatingIfNeeded: (Int64(sequence) + Int64(records)) % (Int64(Int32.max) + 1))
        let ordinal = target.nextOrdinal
        target.nextOrdinal += 1
        target.unsettled.append(ordinal)
        target.queued.append(SealedBatch(bytes: bytes, records: records, ordinal: ordinal, settles: settles,
                                         firstEnqueued: firstEnqueued, accounted: accounted))
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

    /// Writes ready batches, grouped by leader, and sleeps until the next linger deadline or a
    /// wake-up (a full batch, a new batch, an answer). Answers are handled as they arrive.
    private func runSender() async {
        while !Task.isCancelled {
            let ready = takeReadyBatches()
            if !ready.isEmpty {
                await dispatch(ready)
                continue
            }
            var nextDeadline: ContinuousClock.Instant? = nil
            for state in topics.values {
                for partition in state.partitions
                where partition.backingOff == 0 && partition.inFlight < maxInFlight && !partition.drainBeforeSwitch {
                    guard let first = partition.firstEnqueued, partition.queued.isEmpty else { continue }
                    let due = first + config.linger
                    if nextDeadline.map({ due < $0 }) ?? true { nextDeadline = due }
                }
            }
            if bufferedBytes == 0 { resumeFlushWaiters() }
            if closed && bufferedBytes == 0 { break }
            await park(until: nextDeadline)
        }
        sender = nil
    }

    /// Sleeps until `wake()` or the deadline, whichever is first. A wake that arrived while the
    /// sender was busy ends the park at once; a timer of an earlier park can never end a later one
    /// (its generation no longer matches), so an idle producer parks without a deadline and uses
    /// no CPU at all.
    private func park(until deadline: ContinuousClock.Instant?) async {
        if wakePending {
            wakePending = false
            return
        }
        parkGeneration &+= 1
        let generation = parkGeneration
        let timer: Task<Void, Never>? = deadline.map { deadline in
            Task { [weak self] in
                guard (try? await Task.sleep(until: deadline, clock: ContinuousClock())) != nil else { return }
                await self?.deadlinePassed(generation: generation)
            }
        }
        await withCheckedContinuation { continuation in
            wakeUp = continuation
        }
        timer?.cancel()
    }

    private func deadlinePassed(generation: UInt64) {
        guard generation == parkGeneration, let waiter = wakeUp else { return }
        wakeUp = nil
        waiter.resume()
    }

    private func resumeFlushWaiters() {
        let waiters = flushWaiters
        flushWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func releaseSpace() {
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        if bufferedBytes == 0 { resumeFlushWaiters() }
    }

    private struct Outgoing: Sendable {
        var topic: String
        var partition: Int32
        var batch: SealedBatch
        /// Written to a connection (counted in the partition's `written`).
        var written = false
    }

    /// At most one batch per partition (a Produce request carries one batch per partition): the
    /// oldest sealed one, or the open one once full, past its linger, flushed or closing. None
    /// while the partition has `maxInFlight` batches out or a failed batch is backing off.
    private func takeReadyBatches() -> [Outgoing] {
        let now = clock.now
        let hurry = closed || !flushWaiters.isEmpty
        var ready: [Outgoing] = []
        for (name, state) in topics {
            for (index, partition) in state.partitions.enumerated() {
                guard partition.backingOff == 0, partition.inFlight < maxInFlight, !partition.drainBeforeSwitch else { continue }
                // A batch that failed goes out again only once everything sent before it came back,
                // and retried batches go one at a time until the partition has recovered.
                if partition.inFlight > 0, let head = partition.queued.first, head.attempts > 0 { continue }
                if partition.queued.isEmpty, let first = partition.firstEnqueued, hurry || now >= first + config.linger {
                    seal(partition, topic: state, partition: Int32(index))
                }
                guard !partition.queued.isEmpty else { continue }
                let batch = partition.queued.removeFirst()
                partition.inFlight += 1
                ready.append(Outgoing(topic: name, partition: Int32(index), batch: batch))
            }
        }
        return ready
    }

    /// Writes one Produce request per leader, in order, and handles each answer in its own task.
    private func dispatch(_ batches: [Outgoing]) async {
        var byLeader: [ClusterMetadata.Node: [Outgoing]] = [:]
        for outgoing in batches {
            do {
                byLeader[try await cluster.leader(topic: outgoing.topic, partition: outgoing.partition), default: []].append(outgoing)
            } catch {
                completed([(outgoing, .retry(error))])
            }
        }
        for (node, candidates) in byLeader {
            let connection: BrokerConnection
            do {
                connection = try await cluster.connection(to: node)
            } catch {
                completed(candidates.map { ($0, .retry(error)) })
                continue
            }
            // From here to the write, no suspension: nothing else is written to the partitions meanwhile.
            var entries = holdBack(candidates, switchingTo: connection)
            guard !entries.isEmpty else { continue }
            var topics: [String: [ProduceRequest.Partition]] = [:]
            var size = 256
            for entry in entries {
                topics[entry.topic, default: []].append(.init(index: entry.partition, records: entry.batch.bytes))
                size += entry.batch.bytes.readableBytes + entry.topic.utf8.count + 16
            }
            let request = ProduceRequest(acks: config.acks.rawValue, timeoutMs: Int32(config.requestTimeout.components.seconds * 1000),
                                         topics: topics.map { .init(name: $0.key, partitions: $0.value) })
            let response: EventLoopFuture<KafkaResponse>
            do {
                if config.acks == .none {
                    try connection.sendWithoutResponse(.produce(request), frameCapacity: size)
                    completed(entries.map { ($0, .acknowledged(baseOffset: -1)) })
                    continue
                }
                response = try connection.start(.produce(request), timeout: config.requestTimeout, frameCapacity: size)
            } catch {
                completed(entries.map { ($0, .retry(error)) })
                continue
            }
            for index in entries.indices {
                guard let partition = self.topics[entries[index].topic]?.partitions[Int(entries[index].partition)] else { continue }
                partition.written.append(entries[index].batch.ordinal)
                partition.writtenTo = connection
                entries[index].written = true
            }
            Task {
                let outcomes: [(Outgoing, BatchResult)]
                do {
                    outcomes = Self.outcomes(of: try await response.get(), for: entries, node: node)
                } catch {
                    // The connection failed: whether the broker appended is unknown, so retry with the
                    // same sequence numbers; idempotence turns a second append into "duplicate, here
                    // is the offset".
                    outcomes = entries.map { ($0, .retry(error)) }
                }
                self.completed(outcomes)
            }
        }
    }

    /// The entries that may be written to `connection`: every earlier unsettled batch of their
    /// partition is out on this same connection. The others go back into their partition's queue,
    /// untouched (not a retry): an earlier batch is out on another connection (the partition then
    /// sends nothing until those are answered), or it failed while this one was on its way here
    /// and is resent first.
    private func holdBack(_ entries: [Outgoing], switchingTo connection: BrokerConnection) -> [Outgoing] {
        var writable: [Outgoing] = []
        for entry in entries {
            guard let partition = topics[entry.topic]?.partitions[Int(entry.partition)] else {
                writable.append(entry)
                continue
            }
            let ordinal = entry.batch.ordinal
            let earlierUnsettled = partition.unsettled.prefix { $0 < ordinal }.count
            let earlierWritten = partition.written.count(where: { $0 < ordinal })
            if earlierUnsettled == earlierWritten && (partition.written.isEmpty || partition.writtenTo === connection) {
                writable.append(entry)
                continue
            }
            partition.inFlight -= 1
            // Only answers to written batches lift it; a failed batch is queued or backing off and
            // goes out first by itself.
            if !partition.written.isEmpty { partition.drainBeforeSwitch = true }
            let position = partition.queued.firstIndex { $0.ordinal > entry.batch.ordinal } ?? partition.queued.endIndex
            partition.queued.insert(entry.batch, at: position)
        }
        return writable
    }

    enum BatchResult {
        case acknowledged(baseOffset: Int64)
        case retry(Error)
        case failed(Error)
        /// OUT_OF_ORDER_SEQUENCE_NUMBER: retriable behind a failed batch of the same partition.
        case outOfOrder(Error)
    }

    private static func outcomes(of response: KafkaResponse, for entries: [Outgoing], node: ClusterMetadata.Node) -> [(Outgoing, BatchResult)] {
        guard case .produce(let response) = response else {
            return entries.map { ($0, .failed(BrokerClientError.unsupportedApi(.produce, address: node.address))) }
        }
        var answers: [String: [Int32: ProduceResponse.Partition]] = [:]
        for topic in response.topics {
            for partition in topic.partitions { answers[topic.name, default: [:]][partition.index] = partition }
        }
        return entries.map { entry in
            guard let answer = answers[entry.topic]?[entry.partition] else {
                return (entry, .retry(BrokerClientError.broker(.unknownServerError, context: "no answer for \(entry.topic)-\(entry.partition)")))
            }
            if answer.errorCode == 0 { return (entry, .acknowledged(baseOffset: answer.baseOffset)) }
            let code = KafkaErrorCode(rawValue: answer.errorCode) ?? .unknownServerError
            let error = BrokerClientError.broker(code, context: "producing to \(entry.topic)-\(entry.partition)"
                                                 + (answer.errorMessage.map { ": \($0)" } ?? ""))
            if code == .outOfOrderSequenceNumber { return (entry, .outOfOrder(error)) }
            return (entry, error.isRetriable ? .retry(error) : .failed(error))
        }
    }

    /// Settles acknowledged and failed batches; retriable ones go back (after one metadata refresh
    /// and the retry backoff) in sequence order, ahead of anything sealed later. The partition
    /// sends nothing while one of its batches is backing off.
    private func completed(_ outcomes: [(Outgoing, BatchResult)]) {
        var retries: [Outgoing] = []
        for (outgoing, result) in outcomes {
            guard let partition = topics[outgoing.topic]?.partitions[Int(outgoing.partition)] else { continue }
            partition.inFlight -= 1
            if outgoing.written {
                if let position = partition.written.firstIndex(of: outgoing.batch.ordinal) { partition.written.remove(at: position) }
                if partition.written.isEmpty {
                    partition.writtenTo = nil
                    partition.drainBeforeSwitch = false
                }
            }
            let batch = outgoing.batch
            var outcome = result
            if case .outOfOrder(let error) = result {
                // Behind a batch that failed and is not settled yet, "out of order" only means this
                // one was written first: resend it after that one. Otherwise it is final.
                let behindFailure = (partition.unsettled.first ?? batch.ordinal) < batch.ordinal
                outcome = behindFailure ? .retry(error) : .failed(error)
            }
            if case .retry(let error) = outcome {
                if clock.now - batch.firstEnqueued > config.deliveryTimeout {
                    outcome = .failed(BrokerClientError.timedOut(operation: "delivery (\(error))",
                                                                 address: "\(outgoing.topic)-\(outgoing.partition)"))
                } else if !config.idempotent && config.acks == .none {
                    outcome = .failed(error)
                }
            }
            switch outcome {
            case .retry, .outOfOrder:
                retriedBatches += 1
                partition.backingOff += 1
                retries.append(outgoing)
                continue
            case .acknowledged(let baseOffset):
                settle(batch.settles, topic: outgoing.topic, partition: outgoing.partition, result: .success(baseOffset))
            case .failed(let error):
                settle(batch.settles, topic: outgoing.topic, partition: outgoing.partition, result: .failure(error))
            }
            if let position = partition.unsettled.firstIndex(of: batch.ordinal) { partition.unsettled.remove(at: position) }
            bufferedBytes -= batch.accounted
        }
        releaseSpace()
        if !retries.isEmpty {
            Task { await self.requeue(retries) }
        }
        wake()
    }

    private func requeue(_ retries: [Outgoing]) async {
        for topic in Set(retries.map(\.topic)) {
            if let metadata = try? await cluster.refreshMetadata(topics: [topic]), let info = metadata.topics[topic],
               info.error == nil, !info.partitions.isEmpty {
                topics[topic]?.grow(to: Int32(info.partitions.count), capacityHint: Self.initialBatchCapacity)
            }
        }
        try? await Task.sleep(for: config.retryBackoff)
        for outgoing in retries {
            guard let partition = topics[outgoing.topic]?.partitions[Int(outgoing.partition)] else { continue }
            var batch = outgoing.batch
            batch.attempts += 1
            partition.backingOff -= 1
            let position = partition.queued.firstIndex { $0.ordinal > batch.ordinal } ?? partition.queued.endIndex
            partition.queued.insert(batch, at: position)
        }
        wake()
    }

    /// Batches of a partition written to a connection and not answered yet (tests).
    func writtenBatches(topic: String, partition: Int32) -> Int {
        topics[topic]?.partitions[Int(partition)].written.count ?? 0
    }

    /// Resumes the callers of a batch's records: `result` is the batch's base offset or its error.
    private func settle(_ settles: [Settle], topic: String, partition: Int32, result: Result<Int64, Error>) {
        var index: Int64 = 0
        for settle in settles {
            switch (settle, result) {
            case (.single(let delivery), .success(let baseOffset)):
                delivery.resume(.success(RecordMetadata(topic: topic, partition: partition,
                                                        offset: baseOffset < 0 ? -1 : baseOffset + index)))
            case (.single(let delivery), .failure(let error)):
                delivery.resume(.failure(error))
            case (.chunk(let waiter, let first, let count), .success(let baseOffset)):
                waiter.settle(first: first, count: count, .landed(partition: partition, baseOffset: baseOffset < 0 ? -1 : baseOffset + index))
            case (.chunk(let waiter, let first, let count), .failure(let error)):
                waiter.settle(first: first, count: count, .failed(error))
            case (.fireAndForget, .success):
                break
            case (.fireAndForget(let count), .failure(let error)):
                for _ in 0..<count {
                    for handler in fireAndForgetErrors { handler(error) }
                }
            }
            index += Int64(settle.count)
        }
    }
}

/// The one waiter of a `send`: resumed exactly once, by the delivery or by the caller's cancellation,
/// whichever comes first (the later one is ignored).
final class SingleDelivery: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<RecordMetadata, Error>)
        case done
        /// Finished before the continuation was installed (cancelled early).
        case finishedEarly(Result<RecordMetadata, Error>)
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<RecordMetadata, Error>) {
        let early: Result<RecordMetadata, Error>? = state.withLock { state in
            if case .finishedEarly(let result) = state {
                state = .done
                return result
            }
            state = .installed(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<RecordMetadata, Error>) {
        let continuation: CheckedContinuation<RecordMetadata, Error>? = state.withLock { state in
            switch state {
            case .installed(let continuation):
                state = .done
                return continuation
            case .waiting:
                state = .finishedEarly(result)
                return nil
            case .done, .finishedEarly:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
