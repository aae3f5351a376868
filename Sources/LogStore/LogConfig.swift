/// When appended bytes are forced to stable storage.
public enum FlushPolicy: Sendable, Equatable {
    /// Every append schedules a group-committed fsync; `PartitionLog.append` callers that need
    /// durability await `flush(through:)`, and concurrent waiters share one fsync.
    case everyAppend
    /// A background fsync once `bytes` are unflushed or `milliseconds` have passed since the last one
    /// (0 disables that trigger). Callers that need durability can still await `flush`.
    case interval(milliseconds: Int64, bytes: Int64)
}

/// Per-log settings; the names follow Kafka's topic configs where one exists.
public struct LogConfig: Sendable, Equatable {
    /// `segment.bytes`: the active segment rolls before it would exceed this size.
    public var segmentBytes: Int64 = 128 * 1024 * 1024
    /// `segment.ms`: the active segment rolls when its first batch is older than this.
    public var segmentMilliseconds: Int64 = 7 * 24 * 3600 * 1000
    /// `index.interval.bytes`: one sparse index entry per this many log bytes.
    public var indexIntervalBytes: Int = 4096
    /// `retention.ms`: closed segments whose newest timestamp is older are deleted; -1 keeps all.
    public var retentionMilliseconds: Int64 = 7 * 24 * 3600 * 1000
    /// `retention.bytes`: oldest closed segments are deleted while the log is larger; -1 keeps all.
    public var retentionBytes: Int64 = -1
    /// `max.message.bytes`: the largest batch accepted.
    public var maxBatchBytes: Int = 1_048_588
    public var flushPolicy: FlushPolicy = .interval(milliseconds: 1000, bytes: 0)
    /// Written into every appended batch's partitionLeaderEpoch field.
    public var leaderEpoch: Int32 = 0

    public init() {}

    func validated() throws(LogStoreError) -> LogConfig {
        // Positions in the index are 32-bit, like Kafka's.
        guard segmentBytes >= 1024, segmentBytes <= Int64(Int32.max) else {
            throw .invalidConfiguration("segmentBytes \(segmentBytes) must be in 1024...\(Int32.max)")
        }
        guard segmentMilliseconds > 0 else {
            throw .invalidConfiguration("segmentMilliseconds must be positive")
        }
        guard indexIntervalBytes >= 0 else {
            throw .invalidConfiguration("indexIntervalBytes must not be negative")
        }
        guard maxBatchBytes >= RecordBatchHeader.size else {
            throw .invalidConfiguration("maxBatchBytes must be at least \(RecordBatchHeader.size)")
        }
        if case .interval(let ms, let bytes) = flushPolicy, ms < 0 || bytes < 0 {
            throw .invalidConfiguration("flush interval and bytes must not be negative")
        }
        return self
    }
}
