import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What `append` did.
public struct AppendResult: Sendable, Equatable {
    /// Offset assigned to the first record of the first batch.
    public var baseOffset: Int64
    /// Offset of the last record of the last batch.
    public var lastOffset: Int64
    public var batchCount: Int
    public var byteCount: Int
    /// Pass to `flush(through:)` to wait until this append is on stable storage.
    public var durabilityMark: Int64
}

/// Whole batches of one segment file: what a fetch sends, ideally with sendfile.
public struct SegmentRegion: Sendable {
    /// Holding the region keeps the descriptor open, even if retention deletes the segment meanwhile.
    public let file: SegmentFile
    public let position: Int64
    public let length: Int
    /// Base offset of the first batch in the region.
    public let firstOffset: Int64
    /// The offset after the last batch in the region.
    public let endOffset: Int64

    /// Copies the region's bytes (tools and tests; the broker sends regions without copying).
    public func readBytes() throws(LogStoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: length)
        let count = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(LogStoreError) in try file.read(into: raw, at: position) }
        }.get()
        guard count == length else { throw .io(operation: "read region", path: file.path, errno: EIO) }
        return bytes
    }
}

public struct ReadResult: Sendable {
    public var regions: [SegmentRegion]
    public var logStartOffset: Int64
    /// The next offset to be written; with one replica also the high watermark.
    public var logEndOffset: Int64
    public var byteCount: Int { regions.reduce(0) { $0 + $1.length } }
}

/// The first batch whose max timestamp is at least the one asked for. LogStore does not decode
/// records, so the answer is batch-grained; a caller that needs the exact record decodes `region`.
public struct TimestampMatch: Sendable {
    public var baseOffset: Int64
    public var lastOffset: Int64
    public var maxTimestamp: Int64
    public var region: SegmentRegion
}

/// An append-only partition log in a directory of segments.
///
/// Concurrency: appends, rolls and retention are serialised by the writer lock (one writer per
/// partition); reads take a snapshot of the segment list and never wait for a write in progress;
/// fsyncs run on a `SyncScheduler` thread and are group-committed.
public final class PartitionLog: Sendable {
    public let directory: String
    public let config: LogConfig
    private let scheduler: SyncScheduler
    private let clock: @Sendable () -> Int64
    private let lockFile: SegmentFile

    private struct WriterState {
        var active: Segment
        var builder: IndexBuilder
        /// Wall-clock time the active segment was created or opened: the roll clock for segments whose
        /// batches carry no timestamps.
        var activeSince: Int64
        var closed = false
    }

    private struct SyncState {
        var appendedBytes: Int64 = 0
        var syncedBytes: Int64 = 0
        var active: Segment
        /// Rolled segments whose data and indexes are not yet known to be on stable storage.
        var rolled: [Segment] = []
        var directoryDirty = false
        var scheduled = false
        /// The mark the fsync now running will make durable; waiters at or below it just wait for it.
        var runningMark: Int64?
        /// Set by `simulateCrash`: queued rounds do nothing.
        var abandoned = false
        var lastSyncMilliseconds: Int64
        var waiters: [(mark: Int64, continuation: UnsafeContinuation<Result<Void, LogStoreError>, Never>)] = []
    }

    private let writer: Mutex<WriterState>
    private let segments: Mutex<[Segment]>
    private let syncState: Mutex<SyncState>
    private let failure = Mutex<String?>(nil)
    private let logEnd: Atomic<Int64>
    private let completedSyncRounds = Atomic<Int>(0)
    private let logStart: Atomic<Int64>

    static let cleanShutdownMarker = ".clean-shutdown"
    static let recoveryCheckpoint = "recovery-checkpoint"
    static let lockFileName = ".lock"

    public var logEndOffset: Int64 { logEnd.load(ordering: .acquiring) }
    public var logStartOffset: Int64 { logStart.load(ordering: .acquiring) }
    /// Total bytes of all segments.
    public var sizeInBytes: Int64 { segments.withLock { $0.reduce(0) { $0 + $1.size } } }
    public var segmentBaseOffsets: [Int64] { segments.withLock { $0.map(\.baseOffset) } }
    /// What recovery found at open; for logs and tests.
    public let recovery: RecoveryReport

    init(directory: String, config: LogConfig, scheduler: SyncScheduler, clock: @escaping @Sendable () -> Int64,
         lockFile: SegmentFile, opened: LogOpener.Opened) {
        self.directory = directory
        self.config = config
        self.scheduler = scheduler
        self.clock = clock
        self.lockFile = lockFile
        let active = opened.segments[opened.segments.count - 1]
        writer = Mutex(WriterState(active: active, builder: opened.activeBuilder, activeSince: clock()))
        segments = Mutex(opened.segments)
        syncState = Mutex(SyncState(active: active, lastSyncMilliseconds: clock()))
        logEnd = Atomic(active.nextOffset.load(ordering: .relaxed))
        logStart = Atomic(opened.segments[0].baseOffset)
        recovery = opened.report
    }

    /// Opens the log in `directory`, creating it when absent, and recovers it if it was not closed
    /// cleanly. `clock` gives wall-clock milliseconds (tests inject their own).
    public static func open(
        directory: String, config: LogConfig = LogConfig(), scheduler: SyncScheduler = .shared,
        clock: @escaping @Sendable () -> Int64 = PartitionLog.wallClockMilliseconds
    ) throws(LogStoreError) -> PartitionLog {
        let config = try config.validated()
        try DurableFiles.createDirectory(directory)
        let lockFile = try SegmentFile.open(directory + "/" + lockFileName, create: true)
        guard flock(lockFile.descriptor, LOCK_EX | LOCK_NB) == 0 else { throw .directoryLocked(path: directory) }
        let opened = try LogOpener(directory: directory, config: config).open()
        return PartitionLog(directory: directory, config: config, scheduler: scheduler, clock: clock,
                            lockFile: lockFile, opened: opened)
    }

    public static let wallClockMilliseconds: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    // MARK: Append

    /// Validates and appends one or more whole RecordBatch v2 batches, writing the assigned base offsets
    /// and the leader epoch into `batches` in place (the CRC does not cover them). Either every batch is
    /// appended or none is. Returns once the bytes are in the page cache; await `flush(through:)` for
    /// durability.
    public func append(_ batches: UnsafeMutableRawBufferPointer) throws(LogStoreError) -> AppendResult {
        let input = UnsafeRawBufferPointer(batches)
        guard !input.isEmpty else { throw .invalidBatch(reason: .empty, byteOffset: 0) }
        if let cause = failure.withLock({ $0 }) { throw .logFailed(path: directory, cause: cause) }

        return try writer.withLock { (state) throws(LogStoreError) -> AppendResult in
            guard !state.closed else { throw LogStoreError.closed(path: directory) }
            // Validate everything before touching the log.
            var batchCount = 0
            var cursor = 0
            while cursor < input.count {
                let header: RecordBatchHeader
                switch RecordBatchHeader.validate(input, at: cursor) {
                case .success(let value): header = value
                case .failure(let reason): throw LogStoreError.invalidBatch(reason: reason, byteOffset: cursor)
                }
                guard header.totalSize <= config.maxBatchBytes else {
                    throw LogStoreError.batchTooLarge(size: header.totalSize, limit: config.maxBatchBytes)
                }
                cursor += header.totalSize
                batchCount += 1
            }

            let now = clock()
            if shouldRoll(state, adding: input.count, timestamp: input.int64(at: 35), now: now) {
                try roll(&state, now: now)
            }
            let segment = state.active
            let position = segment.size
            let firstOffset = segment.nextOffset.load(ordering: .relaxed)

            // Assign offsets and collect index entries; the builder is committed only after the write.
            var builder = state.builder
            var offsetEntries: [OffsetIndexEntry] = []
            var timeEntries: [TimeIndexEntry] = []
            var next = firstOffset
            cursor = 0
            while cursor < input.count {
                let totalSize = RecordBatchHeader.lengthPrefix + Int(input.int32(at: cursor + 8))
                let lastDelta = Int64(input.int32(at: cursor + 23))
                batches.storeBigEndian(next, at: cursor)
                batches.storeBigEndian(config.leaderEpoch, at: cursor + 12)
                let (offsetEntry, timeEntry) = builder.add(
                    position: position + Int64(cursor), baseOffset: next,
                    maxTimestamp: input.int64(at: cursor + 35), size: totalSize)
                if let offsetEntry { offsetEntries.append(offsetEntry) }
                if let timeEntry { timeEntries.append(timeEntry) }
                next += lastDelta + 1
                cursor += totalSize
            }

            do throws(LogStoreError) {
                try segment.file.write(input, at: position)
            } catch {
                rollBack(segment, to: position, after: error)
                throw error
            }

            try segment.addIndexEntries(offsetEntries, timeEntries)
            state.builder = builder
            // Publish: readers see the batch only from here on.
            segment.maxTimestamp.store(builder.maxTimestamp, ordering: .releasing)
            segment.nextOffset.store(next, ordering: .releasing)
            segment.committedSize.store(position + Int64(input.count), ordering: .releasing)
            logEnd.store(next, ordering: .releasing)

            let mark = noteAppended(bytes: Int64(input.count))
            return AppendResult(baseOffset: firstOffset, lastOffset: next - 1, batchCount: batchCount,
                                byteCount: input.count, durabilityMark: mark)
        }
    }

    /// Convenience for callers holding an array; the assigned offsets are written into it.
    public func append(_ batches: inout [UInt8]) throws(LogStoreError) -> AppendResult {
        try batches.withUnsafeMutableBytes { raw in
            Result { () throws(LogStoreError) in try append(raw) }
        }.get()
    }

    /// Rolls by size, or by age as Kafka does: the incoming batch's timestamp against the segment's first
    /// batch timestamp, so that producer clocks far from ours (or timestamps near 0) do not roll on
    /// every append; the wall clock only when batches carry no timestamps.
    private func shouldRoll(_ state: WriterState, adding bytes: Int, timestamp: Int64, now: Int64) -> Bool {
        let size = state.active.size
        guard size > 0 else { return false }
        if size + Int64(bytes) > config.segmentBytes { return true }
        if let first = state.builder.firstBatchTimestamp, first >= 0, timestamp >= 0 {
            return timestamp - first > config.segmentMilliseconds
        }
        return now - state.activeSince > config.segmentMilliseconds
    }

    /// A failed write may have left a partial batch past the committed size: cut it off. If even that
    /// fails, the file can no longer be trusted, so the log refuses writes until reopened.
    private func rollBack(_ segment: Segment, to position: Int64, after error: LogStoreError) {
        do {
            try segment.file.truncate(to: position)
        } catch {
            failure.withLock { $0 = $0 ?? "rollback after \(error) failed: \(error)" }
        }
    }

    private func roll(_ state: inout WriterState, now: Int64) throws(LogStoreError) {
        let old = state.active
        if let final = state.builder.finalTimeEntry() { try old.addIndexEntries([], [final]) }
        let base = old.nextOffset.load(ordering: .relaxed)
        let segment = try LogOpener.createSegment(directory: directory, baseOffset: base, config: config)
        state.active = segment
        state.activeSince = now
        state.builder = IndexBuilder(segmentBase: base, intervalBytes: config.indexIntervalBytes)
        segments.withLock { $0.append(segment) }
        let schedule = syncState.withLock { sync -> Bool in
            sync.rolled.append(old)
            sync.active = segment
            sync.directoryDirty = true
            return claimSync(&sync)
        }
        if schedule { scheduleSync() }
    }

    /// Records appended bytes and applies the flush policy; returns the new durability mark.
    private func noteAppended(bytes: Int64) -> Int64 {
        let (mark, schedule) = syncState.withLock { sync -> (Int64, Bool) in
            sync.appendedBytes += bytes
            switch config.flushPolicy {
            case .everyAppend:
                return (sync.appendedBytes, claimSync(&sync))
            case .interval(_, let flushBytes):
                let due = flushBytes > 0 && sync.appendedBytes - sync.syncedBytes >= flushBytes
                return (sync.appendedBytes, due && claimSync(&sync))
            }
        }
        if schedule { scheduleSync() }
        return mark
    }

    // MARK: Durability

    /// Waits until everything appended up to `mark` (default: everything appended so far) is on stable
    /// storage. Never blocks the calling thread; callers that arrive while an fsync runs share the next.
    public func flush(through mark: Int64? = nil) async throws(LogStoreError) {
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Void, LogStoreError>, Never>) in
            enum Action { case done, failed(String), wait, waitAndSchedule }
            let cause = failure.withLock { $0 }
            let action = syncState.withLock { sync -> Action in
                let target = mark ?? sync.appendedBytes
                if target <= sync.syncedBytes { return .done }
                if let cause { return .failed(cause) }
                sync.waiters.append((target, continuation))
                if let running = sync.runningMark, target <= running { return .wait }
                return claimSync(&sync) ? .waitAndSchedule : .wait
            }
            switch action {
            case .done: continuation.resume(returning: .success(()))
            case .failed(let cause): continuation.resume(returning: .failure(.logFailed(path: directory, cause: cause)))
            case .wait: break
            case .waitAndSchedule: scheduleSync()
            }
        }
        try result.get()
    }

    /// For the interval flush policy: schedules a background fsync when the interval has passed.
    /// Returns true when one was scheduled.
    @discardableResult
    public func flushIfDue() -> Bool {
        guard case .interval(let milliseconds, _) = config.flushPolicy, milliseconds > 0 else { return false }
        let now = clock()
        let schedule = syncState.withLock { sync -> Bool in
            guard sync.appendedBytes > sync.syncedBytes || sync.directoryDirty,
                  now - sync.lastSyncMilliseconds >= milliseconds else { return false }
            return claimSync(&sync)
        }
        if schedule { scheduleSync() }
        return schedule
    }

    /// fsync rounds completed so far: with group commit, far fewer than the flushes awaited.
    public var syncRounds: Int { completedSyncRounds.load(ordering: .relaxed) }

    /// Bytes appended but not yet known durable.
    public var unflushedBytes: Int64 { syncState.withLock { $0.appendedBytes - $0.syncedBytes } }

    private func claimSync(_ sync: inout SyncState) -> Bool {
        guard !sync.scheduled else { return false }
        sync.scheduled = true
        return true
    }

    private func scheduleSync() { scheduler.enqueue { [self] in performSync() } }

    /// Runs on a sync thread: one fsync round that covers every byte appended before it started.
    private func performSync() {
        let snapshot = syncState.withLock { sync -> (Int64, Segment, [Segment], Bool)? in
            sync.scheduled = false
            if sync.abandoned { return nil }
            sync.runningMark = sync.appendedBytes
            let taken = (sync.appendedBytes, sync.active, sync.rolled, sync.directoryDirty)
            sync.rolled = []
            sync.directoryDirty = false
            return taken
        }
        guard let (mark, active, rolled, directoryDirty) = snapshot else { return }
        var error: LogStoreError?
        do throws(LogStoreError) {
            for segment in rolled {
                try segment.file.syncData()
                try segment.persistIndexes(sync: true)
            }
            try active.file.syncData()
            // A roll created the active segment's file and retention removed old ones: the names must be
            // durable before an acks=all append into the new segment is answered. This is the only
            // directory fsync LogStore defers (the append path never waits for disk); waiters are
            // released only after it.
            if directoryDirty || !rolled.isEmpty { try DurableFiles.syncDirectory(directory) }
            if !rolled.isEmpty {
                // Every segment before the active one is now complete on disk: recovery can skip them.
                try FileSystem.writeAtomically(directory + "/" + Self.recoveryCheckpoint,
                                               contents: Array(String(active.baseOffset).utf8), sync: true)
            }
        } catch let caught {
            error = caught
            // After a failed fsync the page cache may have dropped the data: never pretend otherwise.
            failure.withLock { $0 = $0 ?? "\(caught)" }
        }
        completedSyncRounds.add(1, ordering: .relaxed)
        let now = clock()
        let (ready, reschedule) = syncState.withLock { sync in
            sync.runningMark = nil
            if error == nil {
                sync.syncedBytes = max(sync.syncedBytes, mark)
                sync.lastSyncMilliseconds = now
            }
            var ready: [UnsafeContinuation<Result<Void, LogStoreError>, Never>] = []
            var waiting: [(mark: Int64, continuation: UnsafeContinuation<Result<Void, LogStoreError>, Never>)] = []
            for waiter in sync.waiters {
                if error != nil || waiter.mark <= sync.syncedBytes { ready.append(waiter.continuation) } else { waiting.append(waiter) }
            }
            sync.waiters = waiting
            return (ready, !waiting.isEmpty && claimSync(&sync))
        }
        let outcome: Result<Void, LogStoreError> = error.map { .failure(.logFailed(path: directory, cause: "\($0)")) } ?? .success(())
        for continuation in ready { continuation.resume(returning: outcome) }
        if reschedule { scheduleSync() }
    }

    // MARK: Reads

    /// Whole batches from the one that contains `offset`, up to `maxBytes`, but always at least one
    /// whole batch when any exists (KIP-74). Reading at the log end offset returns no regions.
    public func read(from offset: Int64, maxBytes: Int) throws(LogStoreError) -> ReadResult {
        let end = logEndOffset
        let snapshot = segments.withLock { $0 }
        let start = snapshot[0].baseOffset
        guard offset >= start, offset <= end else {
            throw .offsetOutOfRange(requested: offset, logStartOffset: start, logEndOffset: end)
        }
        var result = ReadResult(regions: [], logStartOffset: start, logEndOffset: end)
        guard offset < end else { return result }
        var index = Self.segmentIndex(containing: offset, in: snapshot)
        var remaining = maxBytes
        try HeaderReader.with { (reader) throws(LogStoreError) in
            while index < snapshot.count {
                let segment = snapshot[index]
                index += 1
                let startPosition: Int64
                var minimumEnd: Int64
                if result.regions.isEmpty {
                    guard let (position, location) = try segment.position(of: offset, scratch: &reader) else { continue }
                    startPosition = position
                    minimumEnd = position + Int64(location.totalSize)  // at least one whole batch
                } else {
                    guard remaining > 0 else { break }
                    startPosition = 0
                    minimumEnd = 0
                }
                let limit = startPosition + Int64(max(0, remaining))
                var endPosition = try segment.boundary(from: startPosition, notBeyond: limit, scratch: &reader)
                endPosition = max(endPosition, minimumEnd)
                guard endPosition > startPosition else { break }
                let region = SegmentRegion(
                    file: segment.file, position: startPosition, length: Int(endPosition - startPosition),
                    firstOffset: try reader.locate(in: segment.file, at: startPosition, limit: endPosition).baseOffset,
                    endOffset: try segment.offset(after: endPosition, from: startPosition, scratch: &reader))
                result.regions.append(region)
                remaining -= region.length
                if endPosition < segment.size { break }  // the byte limit ended this read
            }
        }
        return result
    }

    /// The first batch whose max timestamp is at least `timestamp`, or nil when there is none.
    public func firstBatch(atOrAfterTimestamp timestamp: Int64) throws(LogStoreError) -> TimestampMatch? {
        let snapshot = segments.withLock { $0 }
        return try HeaderReader.with { (reader) throws(LogStoreError) -> TimestampMatch? in
            for segment in snapshot where segment.maxTimestamp.load(ordering: .acquiring) >= timestamp {
                guard let (position, location) = try segment.firstBatch(atOrAfter: timestamp, scratch: &reader) else {
                    continue
                }
                let region = SegmentRegion(file: segment.file, position: position, length: location.totalSize,
                                           firstOffset: location.baseOffset, endOffset: location.lastOffset + 1)
                return TimestampMatch(baseOffset: location.baseOffset, lastOffset: location.lastOffset,
                                      maxTimestamp: location.maxTimestamp, region: region)
            }
            return nil
        }
    }

    static func segmentIndex(containing offset: Int64, in segments: [Segment]) -> Int {
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].baseOffset <= offset { low = mid + 1 } else { high = mid }
        }
        return max(0, low - 1)
    }

    /// Calls `body` with the header of every batch from the one containing `offset` to the log end,
    /// reading headers only (rebuilding producer state at start-up, tools). `body` returns false to stop.
    public func forEachBatchHeader(from offset: Int64, _ body: (RecordBatchHeader) -> Bool) throws(LogStoreError) {
        let snapshot = segments.withLock { $0 }
        let start = max(offset, snapshot[0].baseOffset)
        try HeaderReader.with { (reader) throws(LogStoreError) in
            var first = true
            for segment in snapshot[Self.segmentIndex(containing: start, in: snapshot)...] {
                let limit = segment.size
                var position: Int64 = 0
                if first {
                    first = false
                    guard let (found, _) = try segment.position(of: start, scratch: &reader) else { continue }
                    position = found
                }
                while position < limit {
                    let header = try reader.header(in: segment.file, at: position, limit: limit)
                    guard body(header) else { return }
                    position += Int64(header.totalSize)
                }
            }
        }
    }

    // MARK: Retention

    /// Deletes whole closed segments older than `retentionMilliseconds` or beyond `retentionBytes`,
    /// oldest first; never the active segment. Returns the base offsets of the deleted segments.
    @discardableResult
    public func applyRetention() throws(LogStoreError) -> [Int64] {
        let now = clock()
        return try writer.withLock { (state) throws(LogStoreError) -> [Int64] in
            guard !state.closed else { throw LogStoreError.closed(path: directory) }
            let snapshot = segments.withLock { $0 }
            var total = snapshot.reduce(Int64(0)) { $0 + $1.size }
            var count = 0
            for segment in snapshot.dropLast() {
                let expired = config.retentionMilliseconds >= 0
                    && now - newestTimestamp(of: segment) > config.retentionMilliseconds
                let oversized = config.retentionBytes >= 0 && total - segment.size >= config.retentionBytes
                guard expired || oversized else { break }
                total -= segment.size
                count += 1
            }
            guard count > 0 else { return [] }
            let removed = Array(snapshot.prefix(count))
            segments.withLock { $0.removeFirst(count) }
            logStart.store(snapshot[count].baseOffset, ordering: .releasing)
            // Readers holding a SegmentRegion keep their descriptor; unlinking does not disturb them.
            for segment in removed { try segment.deleteFiles() }
            syncState.withLock { $0.directoryDirty = true }
            return removed.map(\.baseOffset)
        }
    }

    /// A segment's newest batch timestamp, or its file's modification time when batches carry none.
    private func newestTimestamp(of segment: Segment) -> Int64 {
        let newest = segment.maxTimestamp.load(ordering: .acquiring)
        if newest >= 0 { return newest }
        var info = stat()
        guard fstat(segment.file.descriptor, &info) == 0 else { return clock() }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    // MARK: Close

    /// Stops using the log the way a crash would: no flush, no indexes, no clean-shutdown marker; only
    /// the directory lock is released so that the same process can reopen it (tests).
    func simulateCrash() {
        writer.withLock { $0.closed = true }
        // A crash also ends the sync thread's work on this log: wait out a running round, skip queued ones.
        while !syncState.withLock({ sync in
            sync.abandoned = true
            return sync.runningMark == nil
        }) {
            sched_yield()
        }
        flock(lockFile.descriptor, LOCK_UN)
    }

    /// Flushes everything, writes the indexes and the clean-shutdown marker, and releases the directory.
    /// Appends after this throw `closed`.
    public func close() async throws(LogStoreError) {
        let active = writer.withLock { state -> Segment? in
            guard !state.closed else { return nil }
            state.closed = true
            return state.active
        }
        guard let active else { return }
        defer { flock(lockFile.descriptor, LOCK_UN) }
        try await flush()
        if let final = writer.withLock({ $0.builder.finalTimeEntry() }) { try active.addIndexEntries([], [final]) }
        try active.persistIndexes(sync: true)
        // Durable (directory included) before close returns: the next open trusts the log because of it.
        try FileSystem.writeAtomically(directory + "/" + Self.cleanShutdownMarker, contents: [], sync: true)
    }
}
