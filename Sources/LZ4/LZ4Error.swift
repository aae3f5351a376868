import CLZ4

/// A failure to compress or decompress an LZ4 frame.
///
/// Typed (rather than a bare liblz4 code) so the broker can tell a damaged batch
/// (Kafka `CORRUPT_MESSAGE`) from a batch it refuses to inflate (size limit) without
/// matching strings, while `description` still carries liblz4's own diagnosis for logs.
public struct LZ4Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// Not a valid LZ4 frame: bad magic, bad header, undecodable block or checksum mismatch.
        case corruptFrame
        /// The input ends before the frame's end mark. Reported separately so a cut-off
        /// batch is never mistaken for a shorter, valid one.
        case truncated
        /// The frame would inflate beyond the caller's `maxOutputBytes` (decompression-bomb guard).
        case outputLimitExceeded
        /// Bytes follow the end of the frame. Kafka's records section is exactly one frame,
        /// so anything after it means the batch was framed wrongly.
        case trailingBytes
        /// liblz4 could not allocate a context or its internal buffers.
        case allocationFailed
        /// liblz4 rejected the compression request (it does not fail on ordinary input).
        case compressionFailed

        public var description: String {
            switch self {
            case .corruptFrame: "corrupt LZ4 frame"
            case .truncated: "truncated LZ4 frame"
            case .outputLimitExceeded: "LZ4 output limit exceeded"
            case .trailingBytes: "trailing bytes after LZ4 frame"
            case .allocationFailed: "LZ4 allocation failed"
            case .compressionFailed: "LZ4 compression failed"
            }
        }
    }

    public let kind: Kind
    /// Input bytes consumed when the problem was detected; for corrupt data this points
    /// at (or just past) the damaged block, for `trailingBytes` it is the frame's length.
    public let inputOffset: Int
    /// liblz4's name for the failure (`LZ4F_getErrorName`, e.g. `ERROR_contentChecksum_invalid`),
    /// or `nil` when the wrapper itself detected the problem.
    public let libraryErrorName: String?
    /// Extra human-readable context from the wrapper, if any.
    public let detail: String?

    public init(kind: Kind, inputOffset: Int, libraryErrorName: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.inputOffset = inputOffset
        self.libraryErrorName = libraryErrorName
        self.detail = detail
    }

    public var description: String {
        var text = "\(kind) at input offset \(inputOffset)"
        if let libraryErrorName { text += " (liblz4: \(libraryErrorName))" }
        if let detail { text += ": \(detail)" }
        return text
    }

    /// Wraps a liblz4 error code. liblz4 only exposes error *names* in its stable ABI
    /// (`LZ4F_getErrorCode` is static-linking-only), so the kind is derived from the name.
    static func library(_ code: Int, inputOffset: Int, detail: String? = nil) -> LZ4Error {
        let name: String
        if let cName = LZ4F_getErrorName(code) {
            name = String(cString: cName)
        } else {
            name = "unknown liblz4 error \(code)"
        }
        let kind: Kind =
            switch name {
            case "ERROR_allocation_failed": .allocationFailed
            case "ERROR_frameHeader_incomplete": .truncated
            default: .corruptFrame
            }
        return LZ4Error(kind: kind, inputOffset: inputOffset, libraryErrorName: name, detail: detail)
    }
}
