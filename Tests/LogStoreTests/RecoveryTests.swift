import ShopTestSupport
import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

@Suite struct RecoveryTests {
    /// Builds a crashed log of several segments and returns its model and the bytes of each segment file.
    private func crashedLog(_ dir: TemporaryDirectory, config: LogConfig, batches: Int)
        async throws -> (LogModel, [String: [UInt8]]) {
        var model = LogModel()
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var rng = SplitMix64(seed: 1234)
        for i in 0..<batches {
            var batch = makeBatch(records: Int32.random(in: 1...4, using: &rng), size: Int.random(in: 61...400, using: &rng),
                                  timestamp: Int64(i), seed: UInt64(i))
            _ = try log.append(&batch)
            model.appended(batch)
        }
        // Make sure the last segment holds at least three batches.
        for _ in 0..<100 {
            let lastBase = try #require(log.segmentBaseOffsets.last)
            if model.batches.filter({ $0.baseOffset >= lastBase }).count >= 3 { break }
            var batch = makeBatch(records: 2, size: 150, timestamp: Int64(model.batches.count), seed: rng.next())
            _ = try log.append(&batch)
            model.appended(batch)
        }
        try await log.flush()
        log.simulateCrash()
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".log") {
            files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: dir.file(name))))
        }
        return (model, files)
    }

    private func restore(_ files: [String: [UInt8]], in dir: TemporaryDirectory) throws {
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: dir.file(name))) }
    }

    /// Expected content when the log's bytes are valid up to global byte position `validEnd`.
    private func prefix(of model: LogModel, validBytes validEnd: Int) -> [UInt8] {
        var result: [UInt8] = []
        for batch in model.batches {
            guard result.count + batch.bytes.count <= validEnd else { break }
            result += batch.bytes
        }
        return result
    }

    /// Truncate the last segment at every byte inside its last two batches: reopening yields exactly the
    /// whole batches before the cut, and the log accepts appends at the right offset afterwards.
    @Test func truncationAtEveryByteOfTheLastTwoBatches() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        config.indexIntervalBytes = 256
        let (model, files) = try await crashedLog(dir, config: config, batches: 60)
        let lastName = try #require(files.keys.max())
        let lastBytes = try #require(files[lastName])
        let lastBase = try #require(LogOpener.baseOffset(of: lastName, suffix: ".log"))
        let inLast = model.batches.filter { $0.baseOffset >= lastBase }
        try #require(inLast.count >= 2)
        let before = model.batches.filter { $0.baseOffset < lastBase }
        let bytesBefore = before.reduce(0) { $0 + $1.bytes.count }
        let cutStart = lastBytes.count - inLast[inLast.count - 1].bytes.count - inLast[inLast.count - 2].bytes.count

        for cut in cutStart...lastBytes.count {
            try Data(lastBytes.prefix(cut)).write(to: URL(fileURLWithPath: dir.file(lastName)))
            let log = try PartitionLog.open(directory: dir.path, config: config)
            let expected = prefix(of: model, validBytes: bytesBefore + cut)
            let content = try log.allBytes()
            #expect(content == expected, "cut at \(cut)")
            #expect(log.recovery.truncatedBytes == Int64(bytesBefore + cut - expected.count), "cut at \(cut)")
            let kept = model.batches.prefix { $0.bytes.count > 0 }.reduce(into: (count: 0, bytes: 0)) { acc, batch in
                if acc.bytes + batch.bytes.count <= expected.count { acc.count += 1; acc.bytes += batch.bytes.count }
            }.count
            let expectedEnd = kept < model.batches.count ? model.batches[kept].baseOffset : model.logEndOffset
            #expect(log.logEndOffset == expectedEnd, "cut at \(cut)")
            var next = makeBatch(records: 2)
            #expect(try log.append(&next).baseOffset == expectedEnd)
            log.simulateCrash()
        }
    }

    /// Flip one random bit anywhere in the log (but in a batch's partitionLeaderEpoch, which the CRC
    /// does not cover): reopening keeps exactly the batches before the damaged one and deletes every
    /// segment after it.
    @Test func randomBitFlipsTruncateAtTheDamagedBatch() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 2048
        config.indexIntervalBytes = 300
        let (model, files) = try await crashedLog(dir, config: config, batches: 80)
        let names = files.keys.sorted()
        var rng = SplitMix64(seed: 77)
        // Damage anywhere: forget the checkpoint so that every segment is scanned.
        for trial in 0..<150 {
            try? FileManager.default.removeItem(atPath: dir.file(PartitionLog.recoveryCheckpoint))
            try restore(files, in: dir)
            let victimIndex = Int.random(in: 0..<model.batches.count, using: &rng)
            let victim = model.batches[victimIndex]
            var byte = Int.random(in: 0..<victim.bytes.count, using: &rng)
            if (12..<16).contains(byte) { byte = 16 }
            let bit = UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            let name = try #require(names.last { LogOpener.baseOffset(of: $0, suffix: ".log")! <= victim.baseOffset })
            var damaged = try #require(files[name])
            let segmentBase = LogOpener.baseOffset(of: name, suffix: ".log")!
            let within = model.batches.filter { $0.baseOffset >= segmentBase && $0.baseOffset < victim.baseOffset }
                .reduce(0) { $0 + $1.bytes.count }
            damaged[within + byte] ^= bit
            try Data(damaged).write(to: URL(fileURLWithPath: dir.file(name)))

            let log = try PartitionLog.open(directory: dir.path, config: config)
            let expected = model.batches[..<victimIndex].flatMap(\.bytes)
            #expect(try log.allBytes() == expected, "trial \(trial): batch \(victimIndex) byte \(byte)")
            #expect(log.logEndOffset == victim.baseOffset, "trial \(trial)")
            #expect(log.segmentBaseOffsets.last! <= victim.baseOffset)
            log.simulateCrash()
            // Segments deleted by recovery must be restorable for the next trial.
            for stale in try FileManager.default.contentsOfDirectory(atPath: dir.path)
            where stale.hasSuffix(".index") || stale.hasSuffix(".timeindex") {
                try FileManager.default.removeItem(atPath: dir.file(stale))
            }
        }
    }

    @Test func emptyDirectoryAndEmptySegmentOpen() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path + "/nested/partition-0")
        #expect(log.logEndOffset == 0 && log.logStartOffset == 0)
        log.simulateCrash()
        let again = try PartitionLog.open(directory: dir.path + "/nested/partition-0")
        #expect(again.logEndOffset == 0)
        var batch = makeBatch(records: 3)
        #expect(try again.append(&batch).baseOffset == 0)
    }
}
