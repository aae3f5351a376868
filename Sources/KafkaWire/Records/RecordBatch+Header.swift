import CCRC32C
import NIOCore
import RecordBatchLayout

extension RecordBatch {
    /// The 61-byte header of a batch, read without touching the records.
    ///
    /// This is the broker's produce fast path: it validates a client batch (size, magic, CRC,
    /// counts) and stores it as it arrived, never inflating the records.
    ///
    /// Its fields are the shared layout parser's (`RecordBatchLayout.RecordBatchHeader`, which LogStore
    /// reads with too), reached as `header.baseOffset` and so on; this type adds the checks.
    @dynamicMemberLookup
    public struct Header: Sendable, Hashable {
        public var fields: RecordBatchLayout.RecordBatchHeader

        public subscript<Value>(dynamicMember field: WritableKeyPath<RecordBatchLayout.RecordBatchHeader, Value>) -> Value {
            get { fields[keyPath: field] }
            set { fields[keyPath: field] = newValue }
        }

        /// Total bytes of the batch on the wire.
        public var totalSize: Int { RecordBatch.lengthPrefixSize + Int(fields.batchLength) }
        public var lastOffset: Int64 { fields.baseOffset &+ Int64(fields.lastOffsetDelta) }
        public var compression: CompressionCodec { CompressionCodec(rawValue: fields.attributes) }
        public var timestampType: TimestampType {
            fields.attributes & RecordBatch.timestampTypeMask == 0 ? .createTime : .logAppendTime
        }
        public var isTransactional: Bool { fields.attributes & RecordBatch.transactionalMask != 0 }
        public var isControl: Bool { fields.attributes & RecordBatch.controlMask != 0 }

        /// Reads the header at the start of `bytes` and checks what the header alone can
        /// prove: 61 bytes present, batchLength in range, magic 2, recordsCount >= 0.
        /// It does not need the rest of the batch (use `validate` for the CRC).
        public init(parsing bytes: UnsafeRawBufferPointer) throws(RecordBatchError) {
            try self.init(fieldsOf: bytes)
            try checkRecordsCount()
        }

        /// Size, batchLength and magic checks, then the fields as they are.
        private init(fieldsOf bytes: UnsafeRawBufferPointer) throws(RecordBatchError) {
            guard bytes.count >= RecordBatch.lengthPrefixSize else {
                throw RecordBatchError(.truncated, offset: bytes.count, detail: "batch header needs 61 bytes")
            }
            let batchLength = bytes.recordBatchInt32(at: 8)
            guard batchLength >= RecordBatch.minimumBatchLength else {
                throw RecordBatchError(.invalidBatchLength, offset: 8, detail: "batchLength \(batchLength)")
            }
            guard bytes.count > 16 else {
                throw RecordBatchError(.truncated, offset: bytes.count, detail: "batch header needs 61 bytes")
            }
            // Magic before the remaining fields: their meaning depends on it.
            let magic = Int8(bitPattern: bytes[16])
            guard magic == 2 else { throw RecordBatchError(.unsupportedMagic(magic), offset: 16) }
            guard bytes.count >= RecordBatch.headerSize else {
                throw RecordBatchError(.truncated, offset: bytes.count, detail: "batch header needs 61 bytes")
            }
            fields = RecordBatchLayout.RecordBatchHeader(bytes)
        }

        private func checkRecordsCount() throws(RecordBatchError) {
            guard fields.recordsCount >= 0 else { throw RecordBatchError(.invalidRecordCount(fields.recordsCount), offset: 57) }
        }

        /// `init(parsing:)` over the readable bytes of `buffer`; the reader index does not move.
        public init(parsing buffer: ByteBuffer) throws(RecordBatchError) {
            self = try buffer.withUnsafeReadableBytes { bytes throws(RecordBatchError) in try Header(parsing: bytes) }
        }

        /// Checks one complete batch at the start of `bytes` without decompressing it: the
        /// header checks of `init(parsing:)`, the whole batch present and the CRC-32C. Bytes
        /// after the batch are ignored (`totalSize` says where the next one starts). Any codec
        /// passes: a broker stores gzip or zstd batches it cannot inflate.
        public static func validate(_ bytes: UnsafeRawBufferPointer) throws(RecordBatchError) -> Header {
            // Fields are judged only after the CRC: damage in transit is reported as such.
            let header = try Header(fieldsOf: bytes)
            guard bytes.count >= header.totalSize else {
                throw RecordBatchError(
                    .truncated, offset: bytes.count,
                    detail: "batch of \(header.totalSize) bytes, \(bytes.count) present")
            }
            let computed = computeCRC(UnsafeRawBufferPointer(rebasing: bytes[0..<header.totalSize]))
            guard computed == header.crc else {
                throw RecordBatchError(.crcMismatch(stored: header.crc, computed: computed), offset: 17)
            }
            try header.checkRecordsCount()
            return header
        }

        /// `validate` over the readable bytes of `buffer`; the reader index does not move.
        public static func validate(_ buffer: ByteBuffer) throws(RecordBatchError) -> Header {
            try buffer.withUnsafeReadableBytes { bytes throws(RecordBatchError) in try validate(bytes) }
        }

        /// The rules Kafka's LogValidator applies to a batch a client produced, beyond the CRC:
        /// at least one record, recordsCount = lastOffsetDelta + 1, no control batch, and a
        /// sequence number when there is a producer id. All map to INVALID_RECORD.
        public func checkProducedBatchRules() throws(RecordBatchError) {
            guard fields.recordsCount > 0 else {
                throw RecordBatchError(
                    .invalidRecordCount(fields.recordsCount), offset: 57, detail: "a produced batch needs records")
            }
            guard Int64(fields.recordsCount) == Int64(fields.lastOffsetDelta) + 1 else {
                throw RecordBatchError(
                    .lastOffsetDeltaMismatch(lastOffsetDelta: fields.lastOffsetDelta, recordsCount: fields.recordsCount), offset: 23)
            }
            guard !isControl else {
                throw RecordBatchError(.controlBatchFromClient, offset: 21)
            }
            guard fields.producerId < 0 || fields.baseSequence >= 0 else {
                throw RecordBatchError(.invalidBaseSequence(fields.baseSequence), offset: 53)
            }
        }

        /// CRC-32C of a whole batch's bytes [21, end), as stored in its crc field.
        public static func computeCRC(_ batch: UnsafeRawBufferPointer) -> UInt32 {
            guard batch.count > RecordBatch.crcCoverageStart, let base = batch.baseAddress else { return 0 }
            return crc32c_extend(0, base + RecordBatch.crcCoverageStart, batch.count - RecordBatch.crcCoverageStart)
        }
    }
}

// Big-endian load of batchLength, checked before the header is parsed; prefixed so it cannot collide
// with the other KafkaWire helpers.
extension UnsafeRawBufferPointer {
    @inline(__always) func recordBatchInt32(at offset: Int) -> Int32 {
        Int32(bigEndian: loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }
}
