import ShopTestSupport
import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

/// Random appends, reads, timestamp lookups, rolls, retention, clean reopens and crashes, checked
/// step by step against an in-memory model.
@Suite struct ModelTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomOperationsMatchTheModel(seed: UInt64) async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var rng = SplitMix64(seed: seed)
        let clock = TestClock(1_000_000)
        var config = LogConfig()
        config.segmentBytes = Int64.random(in: 2048...16_384, using: &rng)
        config.indexIntervalBytes = Int.random(in: 0...2048, using: &rng)
        config.retentionMilliseconds = -1
        config.retentionBytes = -1
        var log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
        var model = LogModel()
        var timestamp: Int64 = 1_000_000

        for step in 0..<1500 {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<55:
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    timestamp += Int64.random(in: -50...200, using: &rng)
                    bytes += makeBatch(records: Int32.random(in: 1...10, using: &rng),
                                       size: Int.random(in: 61...1500, using: &rng),
                                       timestamp: timestamp, seed: rng.next())
                }
                let result = try log.append(&bytes)
                #expect(result.baseOffset == model.logEndOffset, "step \(step)")
                model.appended(bytes)
                clock.advance(by: 10)
            case 55..<80:
                guard model.logEndOffset > model.logStartOffset else { continue }
                let offset = Int64.random(in: model.logStartOffset..<model.logEndOffset, using: &rng)
                let maxBytes = Int.random(in: 1...8000, using: &rng)
                #expect(try log.readBytes(from: offset, maxBytes: maxBytes) == model.expectedRead(from: offset, maxBytes: maxBytes),
                        "step \(step): read \(offset) max \(maxBytes)")
            case 80..<88:
                let target = timestamp + Int64.random(in: -3000...100, using: &rng)
                #expect(try log.firstBatch(atOrAfterTimestamp: target)?.baseOffset == model.expectedTimestampMatch(target)?.baseOffset,
                        "step \(step): timestamp \(target)")
            case 88..<91:
                try await log.close()
                log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
                #expect(log.recovery.wasCleanShutdown)
            case 91..<94:
                if Bool.random(using: &rng) { try await log.flush() }
                log.simulateCrash()
                log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
                #expect(!log.recovery.wasCleanShutdown)
                #expect(log.recovery.truncatedBytes == 0, "step \(step): the page cache kept every append")
            default:
                // Retention by size with a random budget; time retention is covered elsewhere.
                var retentionConfig = config
                retentionConfig.retentionBytes = Int64.random(in: 0...60_000, using: &rng)
                try await log.close()
                log = try PartitionLog.open(directory: dir.path, config: retentionConfig, clock: clock.function)
                try log.applyRetention()
                model.dropBefore(log.logStartOffset)
                try await log.close()
                log = try PartitionLog.open(directory: dir.path, config: config, clock: clock.function)
            }
            #expect(log.logEndOffset == model.logEndOffset, "step \(step)")
            #expect(log.logStartOffset == model.logStartOffset, "step \(step)")
        }
        #expect(try log.allBytes() == model.batches.flatMap(\.bytes))
        try await log.close()
    }
}
