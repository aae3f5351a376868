import LZ4

/// Why a RecordBatch v2 (or one of its records or varints) could not be decoded or encoded.
///
/// Typed, with the byte position, so the broker can map a failure to a Kafka error code
/// (`CORRUPT_MESSAGE` for `.crcMismatch`, `INVALID_RECORD` for structural problems,
/// `UNSUPPORTED_COMPRESSION_TYPE` for codecs it cannot inflate) and log where the damage is.
public struct RecordBatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The input ends inside the batch header, the batch, a record or a varint.
        case truncated
        /// batchLength is below the 49-byte minimum (a 61-byte header) or above what fits in an int32.
        case invalidBatchLength
        /// The magic byte is not 2; this codec handles only RecordBatch v2.
        case unsupportedMagic(Int8)
        /// The stored CRC-32C does not match the bytes [21, end) of the batch.
        case crcMismatch(stored: UInt32, computed: UInt32)
        /// The batch uses a codec this codec cannot inflate or deflate (gzip, snappy, zstd, or an
        /// undefined id 5...7). Only the records section is affected; the header is still valid.
        case unsupportedCompression(CompressionCodec)
        /// The LZ4 frame holding the records is damaged (liblz4's diagnosis is in `detail`).
        case corruptCompressedRecords(LZ4Error.Kind)
        /// A gzip stream (message formats v0/v1) is damaged or truncated.
        case corruptGzipRecords
        /// A v0/v1 message's stored CRC-32 (IEEE) does not match its bytes from the magic byte on.
        case messageCRCMismatch(stored: UInt32, computed: UInt32)
        /// A compressed v0/v1 wrapper message holds another compressed message: Kafka never nests them.
        case nestedCompression
        /// The records inflate beyond the caller's `maxUncompressedBytes`.
        case uncompressedSizeLimitExceeded
        /// recordsCount is negative.
        case invalidRecordCount(Int32)
        /// The records section holds fewer or more records than recordsCount declares.
        case recordCountMismatch(declared: Int32, decoded: Int)
        /// Bytes remain in the records section after recordsCount records were decoded.
        case trailingRecordBytes(Int)
        /// A record's fields do not end exactly where its length field says (they stop short,
        /// or run past it or past the records section).
        case recordLengthMismatch(declared: Int)
        /// A key, value, header or header-count length is below -1 (or -1 where null is not allowed).
        case invalidLength(Int)
        /// A varint longer than 5 bytes or a varlong longer than 10 bytes.
        case varintTooLong
        /// The last byte of a 5-byte varint or 10-byte varlong carries bits beyond 32 or 64.
        case varintOverflow
        /// A header key is not valid UTF-8.
        case invalidHeaderKey
        /// Encoding only: a length, count or the whole batch does not fit its int32 field.
        case valueTooLarge
        /// Produce rules (`Header.checkProducedBatchRules`): lastOffsetDelta is not recordsCount - 1.
        case lastOffsetDeltaMismatch(lastOffsetDelta: Int32, recordsCount: Int32)
        /// Produce rules: a client sent a control batch.
        case controlBatchFromClient
        /// Produce rules: a batch with a producer id has a negative baseSequence.
        case invalidBaseSequence(Int32)

        public var description: String {
            switch self {
            case .truncated: "truncated input"
            case .invalidBatchLength: "invalid batchLength"
            case .unsupportedMagic(let magic): "unsupported magic \(magic) (only 2 is supported)"
            case .crcMismatch(let stored, let computed):
                "CRC-32C mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            case .unsupportedCompression(let codec): "unsupported compression \(codec)"
            case .corruptCompressedRecords(let kind): "compressed records: \(kind)"
            case .corruptGzipRecords: "damaged gzip stream"
            case .messageCRCMismatch(let stored, let computed):
                "message CRC-32 mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            case .nestedCompression: "compressed message inside a compressed message set"
            case .uncompressedSizeLimitExceeded: "records inflate beyond the size limit"
            case .invalidRecordCount(let count): "invalid recordsCount \(count)"
            case .recordCountMismatch(let declared, let decoded):
                "recordsCount is \(declared) but the records section holds \(decoded) record(s)"
            case .trailingRecordBytes(let count): "\(count) byte(s) after the last declared record"
            case .recordLengthMismatch(let declared):
                "record fields do not fill exactly the \(declared) bytes its length field declares"
            case .invalidLength(let length): "invalid length \(length)"
            case .varintTooLong: "varint too long"
            case .varintOverflow: "varint value out of range"
            case .invalidHeaderKey: "record header key is not valid UTF-8"
            case .valueTooLarge: "value does not fit its int32 field"
            case .lastOffsetDeltaMismatch(let lastOffsetDelta, let recordsCount):
                "lastOffsetDelta \(lastOffsetDelta) is not recordsCount \(recordsCount) - 1"
            case .controlBatchFromClient: "control batches may only be written by the broker"
            case .invalidBaseSequence(let sequence): "baseSequence \(sequence) with a producer id"
            }
        }
    }

    public var kind: Kind
    /// Where the problem was detected: a byte offset from the start of the batch, or, when
    /// `inDecompressedRecords` is true, from the start of the decompressed records section.
    /// For `ZigZagVarint` calls, from the reader index (or the given offset) at the call.
    public var offset: Int
    /// True when `offset` counts into the inflated records rather than the batch bytes.
    public var inDecompressedRecords: Bool
    /// Where the failing batch starts in the input of a multi-batch call (0 for one batch).
    public var batchOffset: Int
    /// Extra context, e.g. liblz4's error name.
    public var detail: String?

    public init(
        _ kind: Kind, offset: Int, inDecompressedRecords: Bool = false, batchOffset: Int = 0, detail: String? = nil
    ) {
        self.kind = kind
        self.offset = offset
        self.inDecompressedRecords = inDecompressedRecords
        self.batchOffset = batchOffset
        self.detail = detail
    }

    public var description: String {
        var text = "RecordBatch: \(kind) at "
        text += inDecompressedRecords ? "offset \(offset) of the decompressed records" : "byte \(offset)"
        if batchOffset != 0 { text += " of the batch starting at byte \(batchOffset)" }
        if let detail { text += " (\(detail))" }
        return text
    }

    /// The same error with every position shifted, for callers that decode inside a larger input.
    func shifted(by delta: Int, decompressed: Bool) -> RecordBatchError {
        var copy = self
        copy.offset += delta
        copy.inDecompressedRecords = decompressed
        return copy
    }
}
