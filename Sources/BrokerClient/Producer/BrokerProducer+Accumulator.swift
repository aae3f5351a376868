import KafkaWire
import NIOCore

// The accumulator: records are encoded into their partition's open batch as they are sent, and a batch
// is sealed (sequence numbers, header, CRC, compression) when it is full or its linger has passed.
extension BrokerProducer {
    /// A sealed batch: its wire bytes (resent unchanged on retry) and how to settle its records.
    struct SealedBatch: Sendable {
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
    final class PartitionState {
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

    final class TopicState {
        let name: String
        var partitions: [PartitionState] = []
        /// Where records without a key go until that partition's batch is sealed.
        var sticky: Int32?

        init(name: String) { self.name = name }

        func grow(to count: Int32, capacityHint: Int) {
            while partitions.count < Int(count) { partitions.append(PartitionState(capacityHint: capacityHint)) }
        }
    }

    // MARK: Appending

    /// The partition of a record: explicit, by key (murmur2), or the topic's sticky partition.
    func partition(for key: [UInt8]?, explicit: Int32?, in state: TopicState) -> Int32 {
        if let explicit { return explicit }
        let count = Int32(state.partitions.count)
        if let key, let partition = Murmur2Partitioner.partition(forKey: key, partitionCount: count) { return partition }
        if let sticky = state.sticky, sticky < count { return sticky }
        let chosen = Int32.random(in: 0..<count)
        state.sticky = chosen
        return chosen
    }

    func appendOne(topic: String, state: TopicState, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader],
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
    func enqueue(topic: String, records: [(key: [UInt8]?, value: [UInt8]?)], waiter: ChunkWaiter?) async throws {
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
    func appendRun(topic state: TopicState, records: [(key: [UInt8]?, value: [UInt8]?)], from start: Int,
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
    func seal(_ target: PartitionState, topic: TopicState, partition: Int32) {
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
}
