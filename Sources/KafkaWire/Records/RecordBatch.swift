import NIOCore

/// A RecordBatch v2 (magic 2): the 61-byte header fields plus its decoded records.
///
/// Layout (big-endian): baseOffset 0, batchLength 8, partitionLeaderEpoch 12, magic 16, crc 17,
/// attributes 21, lastOffsetDelta 23, baseTimestamp 27, maxTimestamp 35, producerId 43,
/// producerEpoch 51, baseSequence 53, recordsCount 57, records 61. The CRC-32C covers [21, end)
/// so a broker can stamp baseOffset and partitionLeaderEpoch without recomputing it.
///
/// batchLength and recordsCount are not stored: they follow from the records when encoding and
/// are checked against them when decoding (`RecordBatch.Header` has the raw values).
public struct RecordBatch: Sendable, Hashable {
    /// Size of the fixed header, up to and including recordsCount.
    public static let headerSize = 61
    /// baseOffset and batchLength: the batch's total size is this plus batchLength.
    public static let lengthPrefixSize = 12
    /// The smallest valid batchLength: a header with no record bytes.
    public static let minimumBatchLength = headerSize - lengthPrefixSize
    /// The CRC-32C covers the batch from here (attributes) to its end.
    public static let crcCoverageStart = 21
    /// Default `maxUncompressedBytes`: generous for Kafka's 1 MiB default max.message.bytes,
    /// yet bounded so a small hostile LZ4 batch cannot make the decoder allocate gigabytes.
    public static let defaultMaxUncompressedBytes = 64 << 20

    static let compressionMask: Int16 = 0x07
    static let timestampTypeMask: Int16 = 0x08
    static let transactionalMask: Int16 = 0x10
    static let controlMask: Int16 = 0x20

    public var baseOffset: Int64
    /// librdkafka and kafka-python write 0, the Java producer -1; the broker overwrites it.
    public var partitionLeaderEpoch: Int32
    /// Always 2 for batches this type encodes or decodes.
    public var magic: Int8
    /// The CRC read by `decode` (already verified); `encode` always computes a fresh one.
    public var crc: UInt32
    /// Raw attributes; see `compression`, `timestampType`, `isTransactional`, `isControl`.
    public var attributes: Int16
    /// As decoded; `encode` writes the last record's offsetDelta instead (count - 1 for
    /// records numbered 0, 1, 2 ... as producers number them).
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record; record timestamps are relative to it.
    public var baseTimestamp: Int64
    /// As decoded; under CreateTime `encode` writes the largest record timestamp instead.
    public var maxTimestamp: Int64
    /// -1 when the producer is not idempotent.
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var records: [Record]

    public init(
        baseOffset: Int64 = 0,
        partitionLeaderEpoch: Int32 = 0,
        attributes: Int16 = 0,
        lastOffsetDelta: Int32? = nil,
        baseTimestamp: Int64,
        maxTimestamp: Int64? = nil,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        records: [Record],
        crc: UInt32 = 0
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = 2
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta ?? records.last?.offsetDelta ?? -1
        self.baseTimestamp = baseTimestamp
        self.records = records
        self.maxTimestamp = 0
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.maxTimestamp = maxTimestamp ?? computedMaxTimestamp ?? -1
    }

    // MARK: Attributes

    /// Codec of the records section as stored; `encode` takes the codec as an argument instead.
    public var compression: CompressionCodec {
        get { CompressionCodec(rawValue: attributes & Self.compressionMask) }
        set { attributes = (attributes & ~Self.compressionMask) | newValue.rawValue }
    }

    public var timestampType: TimestampType {
        get { attributes & Self.timestampTypeMask == 0 ? .createTime : .logAppendTime }
        set { setFlag(Self.timestampTypeMask, newValue == .logAppendTime) }
    }

    public var isTransactional: Bool {
        get { attributes & Self.transactionalMask != 0 }
        set { setFlag(Self.transactionalMask, newValue) }
    }

    /// Control batches carry transaction markers; brokers reject them from clients.
    public var isControl: Bool {
        get { attributes & Self.controlMask != 0 }
        set { setFlag(Self.controlMask, newValue) }
    }

    private mutating func setFlag(_ mask: Int16, _ on: Bool) {
        attributes = on ? attributes | mask : attributes & ~mask
    }

    // MARK: Derived values

    /// Offset of the batch's last record (baseOffset + lastOffsetDelta).
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// Absolute offset of `record`.
    public func offset(of record: Record) -> Int64 { baseOffset &+ Int64(record.offsetDelta) }

    /// Absolute timestamp of `record`: under LogAppendTime every record has the batch's
    /// maxTimestamp (as Kafka consumers report it), otherwise baseTimestamp + delta.
    public func timestamp(of record: Record) -> Int64 {
        timestampType == .logAppendTime ? maxTimestamp : baseTimestamp &+ record.timestampDelta
    }

    /// Largest baseTimestamp + timestampDelta over the records, `nil` without records.
    var computedMaxTimestamp: Int64? {
        var result: Int64? = nil
        for record in records {
            let timestamp = baseTimestamp &+ record.timestampDelta
            if let current = result, current >= timestamp { continue }
            result = timestamp
        }
        return result
    }
}

// MARK: - Building a batch the way a producer does

extension RecordBatch {
    /// One record as a producer hands it over, with an absolute timestamp in milliseconds.
    public struct ProducerRecord: Sendable, Hashable {
        public var key: ByteBuffer?
        public var value: ByteBuffer?
        public var headers: [RecordHeader]
        public var timestamp: Int64

        public init(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = [], timestamp: Int64) {
            self.key = key
            self.value = value
            self.headers = headers
            self.timestamp = timestamp
        }

        /// Convenience for byte arrays; the bytes are copied into buffers.
        public init(keyBytes: [UInt8]?, valueBytes: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64) {
            self.init(
                key: keyBytes.map { ByteBuffer(bytes: $0) }, value: valueBytes.map { ByteBuffer(bytes: $0) },
                headers: headers, timestamp: timestamp)
        }
    }

    /// Builds a batch as librdkafka and kafka-python do: baseOffset 0, offsetDeltas 0...n-1,
    /// baseTimestamp = the first record's timestamp (0 without records), timestamps stored as
    /// deltas from it, CreateTime. Pass producerId/epoch/baseSequence for idempotent producers.
    /// The codec is chosen when encoding.
    public init(
        producing records: [ProducerRecord],
        partitionLeaderEpoch: Int32 = 0,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        isTransactional: Bool = false
    ) {
        let baseTimestamp = records.first?.timestamp ?? 0
        var built: [Record] = []
        built.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            built.append(
                Record(
                    timestampDelta: record.timestamp &- baseTimestamp,
                    offsetDelta: Int32(truncatingIfNeeded: index),
                    key: record.key, value: record.value, headers: record.headers))
        }
        self.init(
            partitionLeaderEpoch: partitionLeaderEpoch,
            attributes: isTransactional ? Self.transactionalMask : 0,
            baseTimestamp: baseTimestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
            records: built)
    }

    /// The same from (key, value, headers, timestamp) tuples of byte arrays.
    public init(
        producing tuples: [(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], timestamp: Int64)],
        partitionLeaderEpoch: Int32 = 0,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        isTransactional: Bool = false
    ) {
        self.init(
            producing: tuples.map {
                ProducerRecord(keyBytes: $0.key, valueBytes: $0.value, headers: $0.headers, timestamp: $0.timestamp)
            },
            partitionLeaderEpoch: partitionLeaderEpoch, producerId: producerId, producerEpoch: producerEpoch,
            baseSequence: baseSequence, isTransactional: isTransactional)
    }
}
