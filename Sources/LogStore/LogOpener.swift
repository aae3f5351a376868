#if canImport(Glibc)
import Glibc
#endif

/// What `PartitionLog.open` found and did; recovery is otherwise silent.
public struct RecoveryReport: Sendable, Equatable {
    /// The previous process closed the log cleanly, so nothing was scanned with CRC checks.
    public var wasCleanShutdown: Bool
    /// The directory held no segment: a new, empty log was created.
    public var createdNew = false
    /// Segments scanned batch by batch with CRC-32C checks.
    public var scannedSegments: [Int64] = []
    /// Segments whose indexes were missing or inconsistent and were rebuilt.
    public var rebuiltIndexes: [Int64] = []
    /// Bytes cut off the end of the log (a torn or corrupt tail).
    public var truncatedBytes: Int64 = 0
    /// Segments deleted because they followed a corrupt point.
    public var deletedSegments: [Int64] = []
    /// Each cut, with where and why: what the broker logs at warning level and counts in /metrics.
    public var truncations: [Truncation] = []
    /// Leftover `*.tmp` files of an interrupted atomic write (torn files), removed.
    public var removedTemporaryFiles: [String] = []

    /// One tail cut off a segment.
    public struct Truncation: Sendable, Equatable {
        /// Base offset of the segment (its file name).
        public var segment: Int64
        /// The file size is now this: the end of the last whole valid batch.
        public var validBytes: Int64
        public var bytesCut: Int64
        /// Why the scan stopped there, in words (a torn batch, a CRC mismatch, an offset gap...).
        public var reason: String
    }

    /// True when recovery changed or removed anything on disk: an operator should hear of it.
    public var cutAnything: Bool { truncatedBytes > 0 || !deletedSegments.isEmpty || !removedTemporaryFiles.isEmpty }
}

/// Opens a partition directory: lists segments, trusts what was closed cleanly or checkpointed, scans
/// the rest, truncates after the last whole valid batch, and rebuilds indexes that need it.
struct LogOpener {
    let directory: String
    let config: LogConfig

    struct Opened {
        var segments: [Segment]
        var activeBuilder: IndexBuilder
        var report: RecoveryReport
    }

    static func createSegment(directory: String, baseOffset: Int64, config: LogConfig) throws(LogStoreError) -> Segment {
        let path = directory + "/" + Segment.fileName(baseOffset, ".log")
        let file = try SegmentFile.open(path, create: true)
        return Segment(baseOffset: baseOffset, file: file, directory: directory,
                       indexInterval: config.indexIntervalBytes, size: 0, nextOffset: baseOffset,
                       maxTimestamp: -1, indexes: SegmentIndexes())
    }

    func open() throws(LogStoreError) -> Opened {
        let names = try FileSystem.listDirectory(directory)
        var bases: [Int64] = []
        var indexFiles: Set<String> = []
        var removedTemporary: [String] = []
        for name in names {
            if name.hasSuffix(".tmp") {
                try FileSystem.remove(directory + "/" + name)
                removedTemporary.append(name)
            } else if let base = Self.baseOffset(of: name, suffix: ".log") {
                bases.append(base)
            } else if name.hasSuffix(".index") || name.hasSuffix(".timeindex") {
                indexFiles.insert(name)
            }
        }
        bases.sort()
        // Index files without their log are leftovers of an interrupted delete.
        let logNames = Set(bases.map { Segment.fileName($0, "") })
        for name in indexFiles where !logNames.contains(String(name.prefix { $0 != "." })) {
            try FileSystem.remove(directory + "/" + name)
        }

        let markerPath = directory + "/" + PartitionLog.cleanShutdownMarker
        let clean = FileSystem.exists(markerPath)
        var report = RecoveryReport(wasCleanShutdown: clean)
        report.removedTemporaryFiles = removedTemporary.sorted()
        let checkpoint = clean ? nil : readCheckpoint()

        var segments: [Segment] = []
        var builder = IndexBuilder(segmentBase: 0, intervalBytes: config.indexIntervalBytes)
        var expectedBase: Int64?
        for (i, base) in bases.enumerated() {
            let isLast = i == bases.count - 1
            let file = try SegmentFile.open(directory + "/" + Segment.fileName(base, ".log"), create: false)
            let size = try file.size()
            if let expectedBase, base != expectedBase {
                // A gap or overlap between segments: everything from here on is unreachable.
                try deleteSegments(bases[i...], report: &report)
                break
            }
            let trusted = clean || (!isLast && checkpoint.map { bases[i + 1] <= $0 } ?? false)
            if trusted && !isLast {
                let segment = try openTrustedClosed(base: base, file: file, size: size, nextBase: bases[i + 1],
                                                    report: &report)
                segments.append(segment)
                expectedBase = bases[i + 1]
                continue
            }
            let (segment, segmentBuilder, complete) = try openScanned(
                base: base, file: file, size: size, verify: !trusted, report: &report)
            segments.append(segment)
            builder = segmentBuilder
            expectedBase = segment.nextOffset.load(ordering: .relaxed)
            if !complete {
                if !isLast { try deleteSegments(bases[(i + 1)...], report: &report) }
                break
            }
        }
        if segments.isEmpty {
            report.createdNew = bases.isEmpty
            segments.append(try Self.createSegment(directory: directory, baseOffset: 0, config: config))
            builder = IndexBuilder(segmentBase: 0, intervalBytes: config.indexIntervalBytes)
        }
        // From now on a crash must be detected: remove the marker durably before any append. The same
        // directory fsync makes every removal and truncation-driven rewrite above durable too.
        if clean {
            try FileSystem.remove(markerPath)
        }
        try DurableFiles.syncDirectory(directory)
        return Opened(segments: segments, activeBuilder: builder, report: report)
    }

    static func baseOffset(of name: String, suffix: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return Int64(digits)
    }

    private func readCheckpoint() -> Int64? {
        guard let bytes = FileSystem.readSmallFile(directory + "/" + PartitionLog.recoveryCheckpoint) else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }

    private func deleteSegments(_ bases: ArraySlice<Int64>, report: inout RecoveryReport) throws(LogStoreError) {
        for base in bases {
            for suffix in [".log", ".index", ".timeindex"] {
                try FileSystem.remove(directory + "/" + Segment.fileName(base, suffix))
            }
            report.deletedSegments.append(base)
        }
    }

    /// A closed segment known to be complete: only its newest timestamp is read now (from the last
    /// time index entry); its indexes load on first use. Start-up cost is independent of its size.
    private func openTrustedClosed(base: Int64, file: SegmentFile, size: Int64, nextBase: Int64,
                                   report: inout RecoveryReport) throws(LogStoreError) -> Segment {
        let segment = Segment(baseOffset: base, file: file, directory: directory,
                              indexInterval: config.indexIntervalBytes, size: size, nextOffset: nextBase,
                              maxTimestamp: -1, indexes: nil)
        if let newest = lastTimeIndexTimestamp(base: base, size: size) {
            segment.maxTimestamp.store(newest, ordering: .relaxed)
        } else {
            let rebuilt = try segment.rebuildIndexes()
            report.rebuiltIndexes.append(base)
            segment.maxTimestamp.store(rebuilt.times.last?.timestamp ?? -1, ordering: .relaxed)
        }
        return segment
    }

    /// The newest timestamp from a time index file, or nil when the file is missing or malformed
    /// (an empty file is valid only for an empty segment).
    private func lastTimeIndexTimestamp(base: Int64, size: Int64) -> Int64? {
        let path = directory + "/" + Segment.fileName(base, ".timeindex")
        guard let file = try? SegmentFile.open(path, create: false), let length = try? file.size(),
              length % Int64(TimeIndexEntry.size) == 0, FileSystem.exists(directory + "/" + Segment.fileName(base, ".index"))
        else { return nil }
        if length == 0 { return size == 0 ? -1 : nil }
        var entry = [UInt8](repeating: 0, count: TimeIndexEntry.size)
        let read = entry.withUnsafeMutableBytes { raw in (try? file.read(into: raw, at: length - 12)) ?? 0 }
        guard read == TimeIndexEntry.size else { return nil }
        return entry.withUnsafeBytes { $0.int64(at: 0) }
    }

    /// The active segment after a clean shutdown (verify false: resume from its last index entry), or any
    /// segment after a crash (verify true: CRC-check every batch from the start). Truncates a bad tail.
    private func openScanned(base: Int64, file: SegmentFile, size: Int64, verify: Bool,
                             report: inout RecoveryReport) throws(LogStoreError) -> (Segment, IndexBuilder, Bool) {
        var start: Int64 = 0
        var indexes = SegmentIndexes()
        var builder = IndexBuilder(segmentBase: base, intervalBytes: config.indexIntervalBytes)
        var nextOffset: Int64? = nil
        let loaded = verify ? nil : loadIndexes(base: base, size: size)
        if let loaded, let last = loaded.offsets.last {
            // Resume after the last indexed batch; its base offset is known from the entry.
            indexes = loaded
            start = Int64(last.position)
            nextOffset = base + Int64(last.relativeOffset)
            let lastTime = loaded.times.last
            builder.resume(lastTimeEntry: lastTime, bytesSinceLastEntry: 0,
                           maxTimestamp: lastTime?.timestamp ?? -1,
                           offsetOfMaxTimestamp: lastTime.map { base + Int64($0.relativeOffset) } ?? -1,
                           firstBatchTimestamp: try firstBatchMaxTimestamp(file: file, size: size))
        } else if !verify {
            // No entry to resume from (a segment smaller than the index interval): walk it from the start.
            if loaded == nil { report.rebuiltIndexes.append(base) }
        }
        if verify { report.scannedSegments.append(base) }
        let scan = try SegmentScanner.scan(file: file, segmentBase: base, limit: size, verifyCRC: verify,
                                           indexInterval: config.indexIntervalBytes, start: start,
                                           nextOffset: nextOffset, indexes: indexes, builder: builder)
        if scan.validBytes < size {
            try file.truncate(to: scan.validBytes)
            try file.syncData()
            report.truncatedBytes += size - scan.validBytes
            report.truncations.append(RecoveryReport.Truncation(
                segment: base, validBytes: scan.validBytes, bytesCut: size - scan.validBytes,
                reason: scan.stop.map(\.description) ?? "beyond the last whole batch"))
        }
        let segment = Segment(baseOffset: base, file: file, directory: directory,
                              indexInterval: config.indexIntervalBytes, size: scan.validBytes,
                              nextOffset: scan.nextOffset, maxTimestamp: scan.builder.maxTimestamp,
                              indexes: scan.indexes)
        // Stale index files must not outlive a truncation. Written without fsync on purpose: these files
        // are trusted again only after a clean close or a roll, which rewrite them durably; after another
        // crash this segment is scanned again whatever its index files say.
        if verify || scan.stop != nil { try segment.persistIndexes(sync: false) }
        return (segment, scan.builder, scan.stop == nil)
    }

    private func loadIndexes(base: Int64, size: Int64) -> SegmentIndexes? {
        guard let offsets = FileSystem.readSmallFile(directory + "/" + Segment.fileName(base, ".index")),
              let times = FileSystem.readSmallFile(directory + "/" + Segment.fileName(base, ".timeindex"))
        else { return nil }
        return SegmentIndexes.decode(offsets: offsets, times: times, segmentSize: size, nextRelativeOffset: nil)
    }

    private func firstBatchMaxTimestamp(file: SegmentFile, size: Int64) throws(LogStoreError) -> Int64? {
        guard size >= Int64(RecordBatchHeader.size) else { return nil }
        return try HeaderReader.with { (reader) throws(LogStoreError) -> Int64? in
            try reader.locate(in: file, at: 0, limit: size).maxTimestamp
        }
    }
}
