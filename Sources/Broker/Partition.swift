import LogStore
import Synchronization

/// One partition of a topic: its log and the idempotent-producer state that guards appends to it.
public final class Partition: Sendable {
    public let topic: String
    public let index: Int32
    public let log: PartitionLog
    private let producers: Mutex<ProducerStateTable>

    public enum AppendOutcome: Sendable, Equatable {
        case appended(AppendResult)
        /// A retried batch already in the log: answer with its original offsets.
        case duplicate(baseOffset: Int64)
        case staleEpoch
        case outOfOrderSequence
    }

    init(topic: String, index: Int32, log: PartitionLog) throws(LogStoreError) {
        self.topic = topic
        self.index = index
        self.log = log
        producers = Mutex(try Self.rebuildProducerState(log))
    }

    /// Rebuilds the last-five-batches cache from the tail of the log (the segment before the active one
    /// and the active one): retries after a restart are still recognised as duplicates.
    private static func rebuildProducerState(_ log: PartitionLog) throws(LogStoreError) -> ProducerStateTable {
        var table = ProducerStateTable()
        let bases = log.segmentBaseOffsets
        let start = bases.count >= 2 ? bases[bases.count - 2] : log.logStartOffset
        try log.forEachBatchHeader(from: start) { header in
            if header.producerId >= 0 {
                table.record(producerId: header.producerId, epoch: header.producerEpoch,
                             baseSequence: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta,
                             baseOffset: header.baseOffset)
            }
            return true
        }
        return table
    }

    /// Checks the producer sequence and appends, as one step per partition, so that concurrent produce
    /// requests for the same partition are judged strictly in the order they are appended.
    public func append(_ batch: UnsafeMutableRawBufferPointer, producerId: Int64, producerEpoch: Int16,
                       baseSequence: Int32, lastOffsetDelta: Int32) throws(LogStoreError) -> AppendOutcome {
        try producers.withLock { (table) throws(LogStoreError) -> AppendOutcome in
            switch table.check(producerId: producerId, epoch: producerEpoch, baseSequence: baseSequence,
                               lastOffsetDelta: lastOffsetDelta) {
            case .duplicate(let cached): return .duplicate(baseOffset: cached.baseOffset)
            case .staleEpoch: return .staleEpoch
            case .outOfOrder: return .outOfOrderSequence
            case .append:
                let result = try log.append(batch)
                table.record(producerId: producerId, epoch: producerEpoch, baseSequence: baseSequence,
                             lastOffsetDelta: lastOffsetDelta, baseOffset: result.baseOffset)
                return .appended(result)
            }
        }
    }
}
