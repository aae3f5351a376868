import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One segment: `<base>.log` plus its `.index` and `.timeindex`, named by the 20-digit base offset.
///
/// The partition's single writer appends; any number of readers look up and read concurrently.
/// Readers see only `committedSize` bytes, which the writer publishes after a batch is fully written,
/// so a reader never observes a partly written batch.
final class Segment: Sendable {
    let baseOffset: Int64
    let file: SegmentFile
    let directory: String

    /// Bytes of whole batches visible to readers.
    let committedSize: Atomic<Int64>
    /// The offset after the last batch in this segment.
    let nextOffset: Atomic<Int64>
    /// The largest batch max timestamp in this segment (-1 when none is known).
    let maxTimestamp: Atomic<Int64>
    private let indexes: Mutex<SegmentIndexes?>
    /// Set by retention: a sync round that still holds the segment must not recreate its index files.
    private let deleted = Atomic<Bool>(false)

    let indexInterval: Int

    init(baseOffset: Int64, file: SegmentFile, directory: String, indexInterval: Int, size: Int64,
         nextOffset: Int64, maxTimestamp: Int64, indexes: SegmentIndexes?) {
        self.baseOffset = baseOffset
        self.indexInterval = indexInterval
        self.file = file
        self.directory = directory
        committedSize = Atomic(size)
        self.nextOffset = Atomic(nextOffset)
        self.maxTimestamp = Atomic(maxTimestamp)
        self.indexes = Mutex(indexes)
    }

    static func fileName(_ baseOffset: Int64, _ suffix: String) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    var logPath: String { directory + "/" + Self.fileName(baseOffset, ".log") }
    var indexPath: String { directory + "/" + Self.fileName(baseOffset, ".index") }
    var timeIndexPath: String { directory + "/" + Self.fileName(baseOffset, ".timeindex") }

    var size: Int64 { committedSize.load(ordering: .acquiring) }
    var isEmpty: Bool { size == 0 }

    // MARK: Indexes

    /// Runs `body` on the loaded indexes, loading (or rebuilding) them on first use.
    func withIndexes<T>(_ body: (inout SegmentIndexes) -> T) throws(LogStoreError) -> T {
        if let result = indexes.withLock({ state -> T? in
            guard state != nil else { return nil }
            return body(&state!)
        }) {
            return result
        }
        let loaded = try loadIndexes()
        return indexes.withLock { state in
            if state == nil { state = loaded }
            return body(&state!)
        }
    }

    /// Reads the index files of a closed segment; rebuilds them from the log when they are missing or
    /// inconsistent, and rewrites the files.
    private func loadIndexes() throws(LogStoreError) -> SegmentIndexes {
        let size = self.size
        let nextRelative = nextOffset.load(ordering: .acquiring) - baseOffset
        if let offsetBytes = FileSystem.readSmallFile(indexPath) ?? (size == 0 ? [] : nil),
           let timeBytes = FileSystem.readSmallFile(timeIndexPath) ?? (size == 0 ? [] : nil),
           let decoded = SegmentIndexes.decode(offsets: offsetBytes, times: timeBytes, segmentSize: size,
                                               nextRelativeOffset: nextRelative) {
            return decoded
        }
        return try rebuildIndexes()
    }

    /// Rebuilds both indexes by walking the batch headers, and rewrites the index files.
    @discardableResult
    func rebuildIndexes() throws(LogStoreError) -> SegmentIndexes {
        let scan = try SegmentScanner.scan(file: file, segmentBase: baseOffset, limit: size, verifyCRC: false,
                                           indexInterval: indexInterval)
        var rebuilt = scan.indexes
        var builder = scan.builder
        if let final = builder.finalTimeEntry(), rebuilt.times.last.map({ final.timestamp > $0.timestamp }) ?? true {
            rebuilt.times.append(final)
        }
        try writeIndexFiles(rebuilt, sync: false)
        return rebuilt
    }

    func addIndexEntries(_ offsetEntries: [OffsetIndexEntry], _ timeEntries: [TimeIndexEntry]) throws(LogStoreError) {
        guard !offsetEntries.isEmpty || !timeEntries.isEmpty else { return }
        try withIndexes { state in
            state.offsets += offsetEntries
            state.times += timeEntries
        }
    }

    /// Writes the in-memory indexes to their files (at roll and at close).
    func persistIndexes(sync: Bool) throws(LogStoreError) {
        guard !deleted.load(ordering: .acquiring) else { return }
        let current = try withIndexes { $0 }
        try writeIndexFiles(current, sync: sync)
    }

    private func writeIndexFiles(_ state: SegmentIndexes, sync: Bool) throws(LogStoreError) {
        try FileSystem.writeAtomically(indexPath, contents: state.encodedOffsets(), sync: sync)
        try FileSystem.writeAtomically(timeIndexPath, contents: state.encodedTimes(), sync: sync)
    }

    func deleteFiles() throws(LogStoreError) {
        deleted.store(true, ordering: .releasing)
        try FileSystem.remove(logPath)
        try FileSystem.remove(indexPath)
        try FileSystem.remove(timeIndexPath)
    }

    // MARK: Lookups

    /// Position of the batch that contains `offset` (or the first batch after it), or nil when the
    /// segment holds nothing at or after `offset`.
    func position(of offset: Int64, scratch: inout HeaderReader) throws(LogStoreError) -> (position: Int64, header: BatchLocation)? {
        let limit = size
        let relative = UInt32(clamping: max(0, offset - baseOffset))
        var position = Int64(try withIndexes { $0.position(atOrBefore: relative).position })
        while position < limit {
            let location = try scratch.locate(in: file, at: position, limit: limit)
            if location.lastOffset >= offset { return (position, location) }
            position += Int64(location.totalSize)
        }
        return nil
    }

    /// The last batch boundary at or before `limit` reachable from `start` (a boundary itself).
    func boundary(from start: Int64, notBeyond limit: Int64, scratch: inout HeaderReader) throws(LogStoreError) -> Int64 {
        let end = size
        if limit >= end { return end }
        var position = max(start, try withIndexes { $0.boundary(atOrBefore: limit) })
        while position < end {
            let location = try scratch.locate(in: file, at: position, limit: end)
            let next = position + Int64(location.totalSize)
            if next > limit { return position }
            position = next
        }
        return position
    }

    /// The offset after the last batch that ends at `end` (a batch boundary after `start`): walks the
    /// headers from the nearest index entry, so it costs at most one index interval of header reads.
    func offset(after end: Int64, from start: Int64, scratch: inout HeaderReader) throws(LogStoreError) -> Int64 {
        var position = max(start, try withIndexes { $0.boundary(atOrBefore: end - 1) })
        var next = baseOffset
        while position < end {
            let location = try scratch.locate(in: file, at: position, limit: end)
            next = location.lastOffset + 1
            position += Int64(location.totalSize)
        }
        return next
    }

    /// The first batch whose max timestamp is at least `timestamp`.
    func firstBatch(atOrAfter timestamp: Int64, scratch: inout HeaderReader) throws(LogStoreError) -> (position: Int64, header: BatchLocation)? {
        let limit = size
        let startRelative = try withIndexes { $0.scanStart(forTimestamp: timestamp) }
        guard var (position, _) = try self.position(of: baseOffset + Int64(startRelative), scratch: &scratch) else {
            return nil
        }
        while position < limit {
            let location = try scratch.locate(in: file, at: position, limit: limit)
            if location.maxTimestamp >= timestamp { return (position, location) }
            position += Int64(location.totalSize)
        }
        return nil
    }
}

/// The header fields a reader needs to step over and select batches.
struct BatchLocation: Sendable {
    var baseOffset: Int64
    var totalSize: Int
    var lastOffset: Int64
    var maxTimestamp: Int64
}

/// Reads batch headers through a caller-provided buffer (a stack allocation per read call), so that
/// walking many small batches costs one pread per buffer rather than one per batch, and no heap
/// allocation.
struct HeaderReader {
    private let buffer: UnsafeMutableRawBufferPointer
    private var bufferStart: Int64 = -1
    private var bufferCount = 0
    private var bufferFile: ObjectIdentifier?

    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Runs `body` with a reader over a stack buffer.
    static func with<T>(_ body: (inout HeaderReader) throws(LogStoreError) -> T) throws(LogStoreError) -> T {
        let result: Result<T, LogStoreError> = withUnsafeTemporaryAllocation(byteCount: 8192, alignment: 16) { raw in
            var reader = HeaderReader(buffer: raw)
            do throws(LogStoreError) { return .success(try body(&reader)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The whole 61-byte header of the batch at `position`.
    mutating func header(in file: SegmentFile, at position: Int64, limit: Int64) throws(LogStoreError) -> RecordBatchHeader {
        _ = try locate(in: file, at: position, limit: limit)
        return RecordBatchHeader(UnsafeRawBufferPointer(buffer), at: Int(position - bufferStart))
    }

    mutating func locate(in file: SegmentFile, at position: Int64, limit: Int64) throws(LogStoreError) -> BatchLocation {
        let needed = RecordBatchHeader.size
        let id = ObjectIdentifier(file)
        if bufferFile != id || position < bufferStart || position + Int64(needed) > bufferStart + Int64(bufferCount) {
            let wanted = Int(min(Int64(buffer.count), limit - position))
            bufferCount = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<max(0, wanted)]), at: position)
            bufferStart = position
            bufferFile = id
        }
        let offset = Int(position - bufferStart)
        guard bufferCount - offset >= needed else {
            throw .io(operation: "read batch header at \(position)", path: file.path, errno: EIO)
        }
        let raw = UnsafeRawBufferPointer(buffer)
        let baseOffset = raw.int64(at: offset)
        return BatchLocation(baseOffset: baseOffset,
                             totalSize: RecordBatchHeader.lengthPrefix + Int(raw.int32(at: offset + 8)),
                             lastOffset: baseOffset + Int64(raw.int32(at: offset + 23)),
                             maxTimestamp: raw.int64(at: offset + 35))
    }
}
