import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

@Suite struct RetentionTests {
    @Test func deletesOldestSegmentsBeyondRetentionBytes() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        config.retentionBytes = 10_000
        config.retentionMilliseconds = -1
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var model = LogModel()
        for i in 0..<60 {
            var batch = makeBatch(size: 500, seed: UInt64(i))
            _ = try log.append(&batch)
            model.appended(batch)
        }
        let before = log.segmentBaseOffsets
        let deleted = try log.applyRetention()
        #expect(!deleted.isEmpty)
        #expect(deleted == Array(before.prefix(deleted.count)))
        #expect(log.sizeInBytes <= 10_000)
        // One segment fewer would be under the limit: retention deletes no more than it must.
        #expect(log.sizeInBytes + 4000 > 10_000)
        #expect(log.logStartOffset == log.segmentBaseOffsets[0])
        model.dropBefore(log.logStartOffset)
        #expect(try log.allBytes() == model.batches.flatMap(\.bytes))
        #expect(throws: LogStoreError.self) { try log.read(from: 0, maxBytes: 100) }
        for base in deleted {
            #expect(!FileManager.default.fileExists(atPath: dir.file(Segment.fileName(base, ".log"))))
        }
    }

    @Test func deletesSegmentsOlderThanRetentionButNeverTheActiveOne() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = TestClock(1_000_000)
        var config = LogConfig()
        config.segmentBytes = 2048
        config.retentionMilliseconds = 10_000
        let log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        for i in 0..<40 {
            // Timestamps rise 1 s per batch, ending at 40 s.
            var batch = makeBatch(size: 500, timestamp: Int64(i + 1) * 1000, seed: UInt64(i))
            _ = try log.append(&batch)
        }
        clock.advance(by: 1_000_000)  // now = 2,000,000 ms: everything is far older than 10 s
        let segments = log.segmentBaseOffsets
        let deleted = try log.applyRetention()
        #expect(deleted == Array(segments.dropLast()))
        #expect(log.segmentBaseOffsets == [segments.last!])
        #expect(log.logEndOffset == 40)
    }

    @Test func keepsSegmentsWithinRetentionTime() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = TestClock(50_000)
        var config = LogConfig()
        config.segmentBytes = 2048
        config.retentionMilliseconds = 20_000
        let log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        for i in 0..<40 {
            var batch = makeBatch(size: 500, timestamp: Int64(i + 1) * 1000, seed: UInt64(i))
            _ = try log.append(&batch)
        }
        // now 50 s, retention 20 s: segments whose newest batch is before 30 s go.
        try log.applyRetention()
        #expect(log.logStartOffset > 0)
        let first = try log.read(from: log.logStartOffset, maxBytes: 1).regions[0]
        let header = try first.readBytes().withUnsafeBytes { RecordBatchHeader($0) }
        #expect(header.maxTimestamp <= 30_000 + 4000)  // within one segment (4 batches) of the boundary
        let segmentsKept = log.segmentBaseOffsets.count
        try log.applyRetention()
        #expect(log.segmentBaseOffsets.count == segmentsKept)  // idempotent
    }

    /// A fetch holding a region of a segment that retention deletes still reads it completely.
    @Test func readerHoldingADeletedSegmentKeepsReading() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        config.retentionBytes = 0
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var model = LogModel()
        for i in 0..<30 {
            var batch = makeBatch(size: 600, seed: UInt64(i))
            _ = try log.append(&batch)
            model.appended(batch)
        }
        let held = try log.read(from: 0, maxBytes: 3000)
        try log.applyRetention()
        #expect(log.segmentBaseOffsets.count == 1)
        #expect(try held.regions.flatMap { try $0.readBytes() } == model.expectedRead(from: 0, maxBytes: 3000))
    }

    @Test func segmentsRollByAge() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = TestClock(100_000)
        var config = LogConfig()
        config.segmentMilliseconds = 60_000
        let log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        var first = makeBatch(timestamp: 100_000)
        _ = try log.append(&first)
        clock.advance(by: 30_000)
        var second = makeBatch(timestamp: 130_000)
        _ = try log.append(&second)
        #expect(log.segmentBaseOffsets == [0])
        clock.advance(by: 31_000)
        var third = makeBatch(timestamp: 161_000)  // 61 s after the segment's first batch
        _ = try log.append(&third)
        #expect(log.segmentBaseOffsets == [0, 2])
    }

    /// Producer clocks far behind ours must not roll a segment per append.
    @Test func ancientTimestampsDoNotRollEveryAppend() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        for i in 0..<10 {
            var batch = makeBatch(timestamp: Int64(i))
            _ = try log.append(&batch)
        }
        #expect(log.segmentBaseOffsets == [0])
    }

    /// Without timestamps, the wall clock since the segment was created decides.
    @Test func segmentsWithoutTimestampsRollByWallClock() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = TestClock()
        var config = LogConfig()
        config.segmentMilliseconds = 1000
        let log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        var first = makeBatch(timestamp: -1)
        _ = try log.append(&first)
        clock.advance(by: 1001)
        var second = makeBatch(timestamp: -1)
        _ = try log.append(&second)
        #expect(log.segmentBaseOffsets == [0, 1])
    }
}
