import NIOCore

/// One record of a RecordBatch v2, with its offset and timestamp relative to the batch.
///
/// Key, value and header values are `ByteBuffer` so that decoding can hand out *slices* of
/// the batch bytes (uncompressed batches) or of the one buffer the records were inflated into
/// (LZ4): no per-record copy or allocation. A decoded record therefore keeps that storage alive;
/// copy the bytes (`keyBytes`, `valueBytes`) if you keep a few records from a big batch for long.
public struct Record: Sendable, Hashable {
    /// Record attributes (int8); unused by Kafka, always 0.
    public var attributes: Int8
    /// Milliseconds relative to the batch's baseTimestamp; may be negative.
    public var timestampDelta: Int64
    /// Offset relative to the batch's baseOffset: 0, 1, 2, ... as a producer writes them.
    public var offsetDelta: Int32
    /// `nil` is a null key (length -1), distinct from an empty key.
    public var key: ByteBuffer?
    /// `nil` is a null value: a tombstone for compacted topics.
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(
        attributes: Int8 = 0,
        timestampDelta: Int64 = 0,
        offsetDelta: Int32,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader] = []
    ) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Convenience for callers holding byte arrays; the bytes are copied into buffers.
    public init(
        attributes: Int8 = 0,
        timestampDelta: Int64 = 0,
        offsetDelta: Int32,
        keyBytes: [UInt8]?,
        valueBytes: [UInt8]?,
        headers: [RecordHeader] = []
    ) {
        self.init(
            attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
            key: keyBytes.map { ByteBuffer(bytes: $0) }, value: valueBytes.map { ByteBuffer(bytes: $0) },
            headers: headers)
    }

    /// The key's bytes as a new array (`nil` for a null key).
    public var keyBytes: [UInt8]? { key.map { Array($0.readableBytesView) } }
    /// The value's bytes as a new array (`nil` for a tombstone).
    public var valueBytes: [UInt8]? { value.map { Array($0.readableBytesView) } }

    /// Bytes of this record after its length varint (the value of the length field).
    /// Computed rather than stored so edits to the record can never leave it stale.
    var bodySize: Int {
        var size = 1 + ZigZagVarint.size(ofVarlong: timestampDelta) + ZigZagVarint.size(ofVarint: offsetDelta)
        size += Self.nullableFieldSize(key?.readableBytes)
        size += Self.nullableFieldSize(value?.readableBytes)
        size += ZigZagVarint.size(ofVarint: Int32(truncatingIfNeeded: headers.count))
        for header in headers {
            size += Self.nullableFieldSize(header.key.utf8.count)
            size += Self.nullableFieldSize(header.value?.readableBytes)
        }
        return size
    }

    /// Varint length plus bytes; a null field is the one-byte varint -1.
    static func nullableFieldSize(_ length: Int?) -> Int {
        guard let length else { return 1 }
        return ZigZagVarint.size(ofVarint: Int32(truncatingIfNeeded: length)) + length
    }
}

/// A record header: a non-null UTF-8 key and a nullable value. Keys may repeat.
public struct RecordHeader: Sendable, Hashable {
    public var key: String
    /// `nil` is a null value (length -1), distinct from an empty one.
    public var value: ByteBuffer?

    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }

    /// Convenience for callers holding byte arrays; the bytes are copied into a buffer.
    public init(key: String, valueBytes: [UInt8]?) {
        self.init(key: key, value: valueBytes.map { ByteBuffer(bytes: $0) })
    }

    /// The value's bytes as a new array (`nil` for a null value).
    public var valueBytes: [UInt8]? { value.map { Array($0.readableBytesView) } }
}
