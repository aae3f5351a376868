#if canImport(Glibc)
import Glibc
#endif

/// Every failure LogStore reports. Each case carries enough context to act on without a debugger.
public enum LogStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes given to `append` are not a well-formed RecordBatch v2 sequence; nothing was written.
    case invalidBatch(reason: InvalidBatchReason, byteOffset: Int)
    /// A batch is larger than the log's `maxBatchBytes`; nothing was written.
    case batchTooLarge(size: Int, limit: Int)
    /// The requested offset lies outside [logStartOffset, logEndOffset].
    case offsetOutOfRange(requested: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// The file system is full (ENOSPC, EDQUOT or EFBIG); the log was left as it was before the call.
    case noSpace(operation: String, path: String, errno: Int32)
    /// Any other system call failure.
    case io(operation: String, path: String, errno: Int32)
    /// An earlier fsync or rollback failed, so the in-memory state can no longer be trusted.
    /// The log refuses writes until it is closed and reopened, which runs recovery.
    case logFailed(path: String, cause: String)
    /// Another process (or another `PartitionLog` in this one) holds the partition directory.
    case directoryLocked(path: String)
    /// The log has been closed.
    case closed(path: String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)

    public enum InvalidBatchReason: String, Error, Sendable {
        case truncated = "shorter than its header or its batchLength"
        case badLength = "batchLength below the 49-byte minimum"
        case badMagic = "magic byte is not 2"
        case badCRC = "CRC-32C does not match"
        case badRecordCount = "recordsCount does not equal lastOffsetDelta + 1"
        case empty = "no batch in the input"
    }

    public var description: String {
        switch self {
        case .invalidBatch(let reason, let byteOffset):
            "invalid record batch at byte \(byteOffset): \(reason.rawValue)"
        case .batchTooLarge(let size, let limit):
            "record batch of \(size) bytes exceeds the limit of \(limit) bytes"
        case .offsetOutOfRange(let requested, let start, let end):
            "offset \(requested) is out of range [\(start), \(end)]"
        case .noSpace(let operation, let path, let errno):
            "no space left for \(operation) on \(path): \(Self.message(errno))"
        case .io(let operation, let path, let errno):
            "\(operation) failed on \(path): \(Self.message(errno))"
        case .logFailed(let path, let cause):
            "log \(path) is failed after: \(cause); close and reopen it to recover"
        case .directoryLocked(let path):
            "partition directory \(path) is already open (lock held)"
        case .closed(let path):
            "log \(path) is closed"
        case .invalidConfiguration(let message):
            "invalid log configuration: \(message)"
        }
    }

    static func message(_ errno: Int32) -> String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return "\(String(cString: text)) (errno \(errno))"
    }

    /// Maps a failed system call to `noSpace` or `io`.
    static func system(_ operation: String, path: String, errno code: Int32) -> LogStoreError {
        switch code {
        case ENOSPC, EDQUOT, EFBIG: .noSpace(operation: operation, path: path, errno: code)
        default: .io(operation: operation, path: path, errno: code)
        }
    }
}
