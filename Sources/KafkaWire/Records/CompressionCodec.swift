/// Compression codec of a RecordBatch (attributes bits 0-2).
///
/// A struct rather than an enum so every 3-bit id, including the undefined 5...7, can be
/// represented and reported (`RecordBatchError.Kind.unsupportedCompression`), while the named
/// codecs still read like enum cases.
public struct CompressionCodec: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The codec id, 0...7.
    public let rawValue: Int16

    /// Keeps only the low three bits, so any attributes value maps to a codec.
    public init(rawValue: Int16) { self.rawValue = rawValue & 0x07 }

    public static let none = CompressionCodec(rawValue: 0)
    public static let gzip = CompressionCodec(rawValue: 1)
    public static let snappy = CompressionCodec(rawValue: 2)
    public static let lz4 = CompressionCodec(rawValue: 3)
    public static let zstd = CompressionCodec(rawValue: 4)

    public var description: String {
        switch rawValue {
        case 0: "none"
        case 1: "gzip"
        case 2: "snappy"
        case 3: "lz4"
        case 4: "zstd"
        default: "unknown codec \(rawValue)"
        }
    }
}

/// Which clock a batch's timestamps come from (attributes bit 3).
public enum TimestampType: Int16, Sendable, Hashable, CaseIterable {
    /// The producer's create time (the default): record timestamps are baseTimestamp + delta.
    case createTime = 0
    /// The broker's append time: every record's timestamp is the batch's maxTimestamp.
    case logAppendTime = 1
}
