/// One sparse offset index entry: the batch starting at `position` has base offset
/// `segmentBase + relativeOffset`. Stored as two big-endian UInt32s (8 bytes), as in Kafka.
struct OffsetIndexEntry: Equatable, Sendable {
    var relativeOffset: UInt32
    var position: UInt32
    static let size = 8
}

/// One time index entry: every batch up to and including the one with base offset
/// `segmentBase + relativeOffset` has a max timestamp of at most `timestamp`.
/// Stored as a big-endian Int64 and UInt32 (12 bytes).
struct TimeIndexEntry: Equatable, Sendable {
    var timestamp: Int64
    var relativeOffset: UInt32
    static let size = 12
}

/// Decides where sparse index entries go. Shared by the append path and by recovery, so a rebuilt
/// index is identical to the one written while appending.
struct IndexBuilder: Sendable {
    let segmentBase: Int64
    let intervalBytes: Int
    private(set) var bytesSinceLastEntry = 0
    private(set) var maxTimestamp: Int64 = -1
    private(set) var offsetOfMaxTimestamp: Int64 = -1
    private(set) var lastIndexedTimestamp: Int64 = -1
    /// The max timestamp of the segment's first batch: the clock for time-based rolling.
    private(set) var firstBatchTimestamp: Int64?

    init(segmentBase: Int64, intervalBytes: Int) {
        self.segmentBase = segmentBase
        self.intervalBytes = intervalBytes
    }

    /// Accounts for a batch about to be written at `position`; returns the entries to add, if any.
    mutating func add(
        position: Int64, baseOffset: Int64, maxTimestamp batchMax: Int64, size: Int
    ) -> (OffsetIndexEntry?, TimeIndexEntry?) {
        if firstBatchTimestamp == nil { firstBatchTimestamp = batchMax }
        if batchMax > maxTimestamp {
            maxTimestamp = batchMax
            offsetOfMaxTimestamp = baseOffset
        }
        var offsetEntry: OffsetIndexEntry?
        var timeEntry: TimeIndexEntry?
        if position > 0 && bytesSinceLastEntry >= intervalBytes {
            offsetEntry = OffsetIndexEntry(
                relativeOffset: UInt32(baseOffset - segmentBase), position: UInt32(position))
            bytesSinceLastEntry = 0
            timeEntry = nextTimeEntry()
        }
        bytesSinceLastEntry += size
        return (offsetEntry, timeEntry)
    }

    /// The entry that makes the time index cover the segment's max timestamp (added at roll and close).
    mutating func finalTimeEntry() -> TimeIndexEntry? { nextTimeEntry() }

    private mutating func nextTimeEntry() -> TimeIndexEntry? {
        guard maxTimestamp > lastIndexedTimestamp, offsetOfMaxTimestamp >= segmentBase else { return nil }
        lastIndexedTimestamp = maxTimestamp
        return TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: UInt32(offsetOfMaxTimestamp - segmentBase))
    }

    /// Continues accounting after entries loaded from disk (clean open of the active segment).
    mutating func resume(lastTimeEntry: TimeIndexEntry?, bytesSinceLastEntry: Int, maxTimestamp: Int64,
                         offsetOfMaxTimestamp: Int64, firstBatchTimestamp: Int64?) {
        self.bytesSinceLastEntry = bytesSinceLastEntry
        self.maxTimestamp = maxTimestamp
        self.offsetOfMaxTimestamp = offsetOfMaxTimestamp
        self.firstBatchTimestamp = firstBatchTimestamp
        lastIndexedTimestamp = lastTimeEntry?.timestamp ?? -1
    }
}

/// Both indexes of one segment, held in memory and written to disk whole at roll and close.
struct SegmentIndexes: Sendable {
    var offsets: [OffsetIndexEntry] = []
    var times: [TimeIndexEntry] = []

    /// Position of the last indexed batch whose base offset is at most `target` (0 when none).
    func position(atOrBefore relativeTarget: UInt32) -> (relativeOffset: UInt32, position: UInt32) {
        var low = 0, high = offsets.count
        while low < high {
            let mid = (low + high) / 2
            if offsets[mid].relativeOffset <= relativeTarget { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? (0, 0) : (offsets[low - 1].relativeOffset, offsets[low - 1].position)
    }

    /// The last indexed position not beyond `limit` (0 when none): a batch boundary.
    func boundary(atOrBefore limit: Int64) -> Int64 {
        var low = 0, high = offsets.count
        while low < high {
            let mid = (low + high) / 2
            if Int64(offsets[mid].position) <= limit { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : Int64(offsets[low - 1].position)
    }

    /// Relative offset from which to scan for the first batch with max timestamp >= `timestamp`.
    func scanStart(forTimestamp timestamp: Int64) -> UInt32 {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid].timestamp < timestamp { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : times[low - 1].relativeOffset
    }

    func encodedOffsets() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: offsets.count * OffsetIndexEntry.size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, entry) in offsets.enumerated() {
                raw.storeBigEndian(entry.relativeOffset, at: i * 8)
                raw.storeBigEndian(entry.position, at: i * 8 + 4)
            }
        }
        return bytes
    }

    func encodedTimes() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: times.count * TimeIndexEntry.size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, entry) in times.enumerated() {
                raw.storeBigEndian(entry.timestamp, at: i * 12)
                raw.storeBigEndian(entry.relativeOffset, at: i * 12 + 8)
            }
        }
        return bytes
    }

    /// Decodes index files, or nil when they are not consistent with a segment of `segmentSize`
    /// bytes ending before `nextRelativeOffset`: then the caller rebuilds them from the log.
    static func decode(offsets offsetBytes: [UInt8], times timeBytes: [UInt8],
                       segmentSize: Int64, nextRelativeOffset: Int64?) -> SegmentIndexes? {
        guard offsetBytes.count % OffsetIndexEntry.size == 0, timeBytes.count % TimeIndexEntry.size == 0 else {
            return nil
        }
        var result = SegmentIndexes()
        result.offsets.reserveCapacity(offsetBytes.count / 8)
        let ok = offsetBytes.withUnsafeBytes { raw -> Bool in
            var previous: OffsetIndexEntry?
            for i in 0..<(raw.count / 8) {
                let entry = OffsetIndexEntry(relativeOffset: raw.uint32(at: i * 8), position: raw.uint32(at: i * 8 + 4))
                if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
                    return false
                }
                if entry.position == 0 || Int64(entry.position) >= segmentSize { return false }
                if let next = nextRelativeOffset, Int64(entry.relativeOffset) >= next { return false }
                result.offsets.append(entry)
                previous = entry
            }
            return true
        }
        guard ok else { return nil }
        let timesOK = timeBytes.withUnsafeBytes { raw -> Bool in
            var previous: TimeIndexEntry?
            for i in 0..<(raw.count / 12) {
                let entry = TimeIndexEntry(timestamp: raw.int64(at: i * 12), relativeOffset: raw.uint32(at: i * 12 + 8))
                if let previous, entry.timestamp <= previous.timestamp || entry.relativeOffset < previous.relativeOffset {
                    return false
                }
                if let next = nextRelativeOffset, Int64(entry.relativeOffset) >= next { return false }
                result.times.append(entry)
                previous = entry
            }
            return true
        }
        return timesOK ? result : nil
    }
}
