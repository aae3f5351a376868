import Foundation
import LogStoreTesting
import Synchronization
import Testing
@testable import LogStore

@Suite struct DurabilityTests {
    /// Callers that arrive while the sync thread is busy are all served by one fsync.
    @Test func waitersWhileBusyShareOneFsync() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let scheduler = SyncScheduler(threads: 1, name: "test-sync")
        let log = try PartitionLog.open(directory: dir.path, config: LogConfig(), scheduler: scheduler)
        // Occupy the sync thread until every waiter is queued.
        let gate = DispatchSemaphore(value: 0)
        scheduler.enqueue { gate.wait() }
        let writers = 64
        let waiting = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<writers {
                var batch = makeBatch(size: 1000, seed: UInt64(i))
                let mark = try log.append(&batch).durabilityMark
                group.addTask {
                    waiting.increment()
                    try await log.flush(through: mark)
                }
            }
            while waiting.current < writers { await Task.yield() }
            #expect(log.unflushedBytes == Int64(writers * 1000))
            gate.signal()
            try await group.waitForAll()
        }
        #expect(log.unflushedBytes == 0)
        // Waiters that register while the round runs are covered by it, so it is exactly one.
        #expect(log.syncRounds == 1, "64 waiters took \(log.syncRounds) fsync rounds")
        try await log.close()
    }

    @Test func flushWithNothingAppendedReturnsAtOnce() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        try await log.flush()
        #expect(log.syncRounds == 0)
    }

    @Test func everyAppendPolicySchedulesFsyncs() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.flushPolicy = .everyAppend
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var batch = makeBatch()
        let mark = try log.append(&batch).durabilityMark
        try await log.flush(through: mark)
        #expect(log.syncRounds >= 1)
        #expect(log.unflushedBytes == 0)
    }

    @Test func intervalPolicyFlushesByBytesAndByTime() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let clock = TestClock()
        var config = LogConfig()
        config.flushPolicy = .interval(milliseconds: 1000, bytes: 10_000)
        let log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        var small = makeBatch(size: 500)
        _ = try log.append(&small)
        #expect(log.flushIfDue() == false)  // neither trigger yet
        clock.advance(by: 1001)
        #expect(log.flushIfDue() == true)
        try await log.flush()
        var big = makeBatch(size: 10_000)
        _ = try log.append(&big)  // crosses the byte trigger: scheduled by the append itself
        try await log.flush()
        #expect(log.syncRounds >= 2)
    }

    @Test func cleanCloseSkipsRecoveryAndKeepsEverything() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 8192
        config.indexIntervalBytes = 1024
        var model = LogModel()
        do {
            let log = try PartitionLog.open(directory: dir.path, config: config)
            for i in 0..<100 {
                var batch = makeBatch(records: 2, size: 300, timestamp: Int64(i), seed: UInt64(i))
                _ = try log.append(&batch)
                model.appended(batch)
            }
            try await log.close()
        }
        let reopened = try PartitionLog.open(directory: dir.path, config: config)
        #expect(reopened.recovery.wasCleanShutdown)
        #expect(reopened.recovery.scannedSegments.isEmpty)
        #expect(reopened.recovery.rebuiltIndexes.isEmpty)
        #expect(reopened.logEndOffset == 200)
        #expect(try reopened.allBytes() == model.batches.flatMap(\.bytes))
        var batch = makeBatch(records: 1)
        #expect(try reopened.append(&batch).baseOffset == 200)
        // The marker is gone once the log is open: a crash now must trigger recovery.
        reopened.simulateCrash()
        let afterCrash = try PartitionLog.open(directory: dir.path, config: config)
        #expect(!afterCrash.recovery.wasCleanShutdown)
        #expect(!afterCrash.recovery.scannedSegments.isEmpty)
        #expect(afterCrash.logEndOffset == 201)
    }

    /// After a crash only segments after the last checkpointed roll are scanned.
    @Test func checkpointLimitsRecoveryToUnsyncedSegments() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        let log = try PartitionLog.open(directory: dir.path, config: config)
        for i in 0..<100 {
            var batch = makeBatch(size: 500, seed: UInt64(i))
            _ = try log.append(&batch)
        }
        try await log.flush()
        let bases = log.segmentBaseOffsets
        let before = try log.allBytes()
        log.simulateCrash()
        let reopened = try PartitionLog.open(directory: dir.path, config: config)
        #expect(reopened.recovery.scannedSegments == [bases[bases.count - 1]])
        #expect(try reopened.allBytes() == before)
    }

    @Test func missingAndCorruptIndexesAreRebuilt() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        config.indexIntervalBytes = 256
        var model = LogModel()
        do {
            let log = try PartitionLog.open(directory: dir.path, config: config)
            for i in 0..<60 {
                var batch = makeBatch(records: 3, size: 300, timestamp: Int64(i * 10), seed: UInt64(i))
                _ = try log.append(&batch)
                model.appended(batch)
            }
            try await log.close()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let indexes = names.filter { $0.hasSuffix(".index") }
        #expect(indexes.count > 3)
        try FileManager.default.removeItem(atPath: dir.file(indexes[0]))                       // missing
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.file(indexes[1])))              // wrong size
        try Data(repeating: 0xFF, count: 16).write(to: URL(fileURLWithPath: dir.file(indexes[2])))  // out of range
        try FileManager.default.removeItem(atPath: dir.file(indexes[indexes.count - 1]))       // active segment's
        let reopened = try PartitionLog.open(directory: dir.path, config: config)
        for offset in stride(from: Int64(0), to: model.logEndOffset, by: 2) {
            #expect(try reopened.readBytes(from: offset, maxBytes: 700) == model.expectedRead(from: offset, maxBytes: 700))
        }
        for target in stride(from: Int64(0), to: 600, by: 15) {
            #expect(try reopened.firstBatch(atOrAfterTimestamp: target)?.baseOffset == model.expectedTimestampMatch(target)?.baseOffset)
        }
        #expect(FileManager.default.fileExists(atPath: dir.file(indexes[0])))
    }

    @Test func leftoverTemporaryAndOrphanFilesAreRemoved() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        var batch = makeBatch()
        _ = try log.append(&batch)
        try await log.close()
        try Data([1]).write(to: URL(fileURLWithPath: dir.file("00000000000000000000.index.tmp")))
        try Data().write(to: URL(fileURLWithPath: dir.file("00000000000000000777.index")))
        let reopened = try PartitionLog.open(directory: dir.path)
        #expect(!FileManager.default.fileExists(atPath: dir.file("00000000000000000000.index.tmp")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("00000000000000000777.index")))
        #expect(reopened.logEndOffset == 1)
        #expect(reopened.recovery.removedTemporaryFiles == ["00000000000000000000.index.tmp"])
        #expect(reopened.recovery.cutAnything)
    }
}
