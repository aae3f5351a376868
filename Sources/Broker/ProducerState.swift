/// Idempotent-producer bookkeeping for one partition (KAFKA-WIRE.md §6, after Kafka's
/// `ProducerAppendInfo`): per producer id, its epoch and the metadata of its last five batches, so a
/// retry of any in-flight batch is recognised and answered with the offset it got the first time.
public struct ProducerStateTable: Sendable {
    /// librdkafka and kafka-python keep at most five requests in flight when idempotent.
    public static let cachedBatches = 5

    public struct BatchMetadata: Sendable, Equatable {
        public var firstSequence: Int32
        public var lastSequence: Int32
        public var baseOffset: Int64
        public var lastOffset: Int64
    }

    struct Entry: Sendable, Equatable {
        var epoch: Int16
        var batches: [BatchMetadata]  // oldest first, at most `cachedBatches`
    }

    public enum Verdict: Sendable, Equatable {
        /// Append, then call `record`.
        case append
        /// Already written: answer success with the original offsets and append nothing.
        case duplicate(BatchMetadata)
        /// INVALID_PRODUCER_EPOCH (47).
        case staleEpoch(current: Int16)
        /// OUT_OF_ORDER_SEQUENCE_NUMBER (45).
        case outOfOrder(expected: Int32)
    }

    private var entries: [Int64: Entry] = [:]

    public init() {}

    public var producerCount: Int { entries.count }

    /// The sequence of the last record of a batch, wrapping from Int32.max to 0 as Kafka does.
    public static func lastSequence(first: Int32, lastOffsetDelta: Int32) -> Int32 {
        let sum = Int64(first) + Int64(lastOffsetDelta)
        return Int32(truncatingIfNeeded: sum > Int64(Int32.max) ? sum - Int64(Int32.max) - 1 : sum)
    }

    private static func next(after sequence: Int32) -> Int32 { sequence == Int32.max ? 0 : sequence + 1 }

    public func check(producerId: Int64, epoch: Int16, baseSequence: Int32, lastOffsetDelta: Int32) -> Verdict {
        guard producerId >= 0, let entry = entries[producerId] else { return .append }
        if epoch < entry.epoch { return .staleEpoch(current: entry.epoch) }
        if epoch > entry.epoch {
            return baseSequence == 0 ? .append : .outOfOrder(expected: 0)
        }
        let last = Self.lastSequence(first: baseSequence, lastOffsetDelta: lastOffsetDelta)
        if let cached = entry.batches.first(where: { $0.firstSequence == baseSequence && $0.lastSequence == last }) {
            return .duplicate(cached)
        }
        guard let newest = entry.batches.last else { return .append }
        let expected = Self.next(after: newest.lastSequence)
        return baseSequence == expected ? .append : .outOfOrder(expected: expected)
    }

    /// Records an appended batch (also used while rebuilding from the log at start-up).
    public mutating func record(producerId: Int64, epoch: Int16, baseSequence: Int32, lastOffsetDelta: Int32,
                                baseOffset: Int64) {
        guard producerId >= 0 else { return }
        let metadata = BatchMetadata(firstSequence: baseSequence,
                                     lastSequence: Self.lastSequence(first: baseSequence, lastOffsetDelta: lastOffsetDelta),
                                     baseOffset: baseOffset, lastOffset: baseOffset + Int64(lastOffsetDelta))
        var entry = entries[producerId] ?? Entry(epoch: epoch, batches: [])
        if epoch != entry.epoch {
            entry = Entry(epoch: epoch, batches: [])
        }
        entry.batches.append(metadata)
        if entry.batches.count > Self.cachedBatches { entry.batches.removeFirst(entry.batches.count - Self.cachedBatches) }
        entries[producerId] = entry
    }
}
