import ShopTestSupport
import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

@Suite struct AppendReadTests {
    @Test func offsetsAreDenseAndBytesReadBack() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        var model = LogModel()
        for i in 0..<50 {
            var batch = makeBatch(records: Int32(i % 7 + 1), size: 100 + i * 13, timestamp: Int64(i), seed: UInt64(i))
            let result = try log.append(&batch)
            #expect(result.baseOffset == model.logEndOffset)
            #expect(result.lastOffset == result.baseOffset + Int64(i % 7))
            model.appended(batch)
        }
        #expect(log.logEndOffset == model.logEndOffset)
        #expect(try log.allBytes() == model.batches.flatMap(\.bytes))
        // Every offset reads from the batch that contains it.
        for offset in 0..<model.logEndOffset {
            #expect(try log.readBytes(from: offset, maxBytes: 1) == model.expectedRead(from: offset, maxBytes: 1))
        }
    }

    @Test func appendWritesBaseOffsetAndLeaderEpochButKeepsCRCValid() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.leaderEpoch = 7
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var first = makeBatch(records: 3)
        var second = makeBatch(records: 2)
        _ = try log.append(&first)
        _ = try log.append(&second)
        let stored = try log.readBytes(from: 3, maxBytes: 1)
        stored.withUnsafeBytes { raw in
            let header = RecordBatchHeader(raw)
            #expect(header.baseOffset == 3)
            #expect(header.partitionLeaderEpoch == 7)
            #expect(RecordBatchHeader.computeCRC(raw) == header.crc)
        }
    }

    @Test func severalBatchesInOneAppendGetConsecutiveOffsets() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        var bytes = makeBatch(records: 2, size: 90) + makeBatch(records: 5, size: 300, seed: 1) + makeBatch(records: 1, size: 61)
        let result = try log.append(&bytes)
        #expect(result.batchCount == 3 && result.baseOffset == 0 && result.lastOffset == 7)
        var model = LogModel()
        model.appended(bytes)
        #expect(model.batches.map(\.baseOffset) == [0, 2, 7])
        #expect(try log.allBytes() == bytes)
    }

    @Test func readLimitsAreWholeBatchesAndAtLeastOne() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        var model = LogModel()
        for i in 0..<20 {
            var batch = makeBatch(size: 1000, seed: UInt64(i))
            _ = try log.append(&batch)
            model.appended(batch)
        }
        #expect(try log.readBytes(from: 0, maxBytes: 10).count == 1000)  // KIP-74: one whole batch
        #expect(try log.readBytes(from: 0, maxBytes: 2999).count == 2000)
        #expect(try log.readBytes(from: 5, maxBytes: 3000) == model.expectedRead(from: 5, maxBytes: 3000))
        #expect(try log.read(from: 20, maxBytes: 1000).regions.isEmpty)  // at the log end: nothing yet
    }

    @Test func offsetsOutsideTheLogAreTypedErrors() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        var batch = makeBatch(records: 4)
        _ = try log.append(&batch)
        #expect(throws: LogStoreError.offsetOutOfRange(requested: 5, logStartOffset: 0, logEndOffset: 4)) {
            try log.read(from: 5, maxBytes: 100)
        }
        #expect(throws: LogStoreError.offsetOutOfRange(requested: -1, logStartOffset: 0, logEndOffset: 4)) {
            try log.read(from: -1, maxBytes: 100)
        }
    }

    /// Every kind of bad input is refused with its reason and leaves the log exactly as it was.
    @Test func badBatchesAreRefusedAndChangeNothing() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.maxBatchBytes = 5000
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var good = makeBatch(records: 2, size: 500)
        _ = try log.append(&good)
        let before = try log.allBytes()

        func refuse(_ bytes: [UInt8], _ expected: LogStoreError) {
            var copy = bytes
            #expect(throws: expected) { try log.append(&copy) }
        }
        var badCRC = makeBatch(size: 300); badCRC[200] ^= 0x01
        refuse(badCRC, .invalidBatch(reason: .badCRC, byteOffset: 0))
        var badMagic = makeBatch(size: 300); badMagic[16] = 1
        refuse(badMagic, .invalidBatch(reason: .badMagic, byteOffset: 0))
        var shortLength = makeBatch(size: 300); shortLength[8...11] = [0, 0, 0, 10]
        refuse(shortLength, .invalidBatch(reason: .badLength, byteOffset: 0))
        refuse(Array(makeBatch(size: 300).prefix(299)), .invalidBatch(reason: .truncated, byteOffset: 0))
        refuse(Array(makeBatch(size: 300).prefix(40)), .invalidBatch(reason: .truncated, byteOffset: 0))
        refuse([], .invalidBatch(reason: .empty, byteOffset: 0))
        refuse(makeBatch(size: 6000), .batchTooLarge(size: 6000, limit: 5000))
        // A good batch followed by a bad one: neither is written.
        refuse(makeBatch(size: 100) + badCRC, .invalidBatch(reason: .badCRC, byteOffset: 100))
        var wrongCount = makeBatch(records: 3, size: 300)
        wrongCount.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: Int32(5).bigEndian, toByteOffset: 57, as: Int32.self)
            raw.storeBytes(of: RecordBatchHeader.computeCRC(UnsafeRawBufferPointer(raw)).bigEndian, toByteOffset: 17, as: UInt32.self)
        }
        refuse(wrongCount, .invalidBatch(reason: .badRecordCount, byteOffset: 0))

        #expect(try log.allBytes() == before)
        #expect(log.logEndOffset == 2)
        var next = makeBatch()
        #expect(try log.append(&next).baseOffset == 2)
    }

    @Test func timestampLookupFindsFirstBatchAtOrAfter() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 4096
        config.indexIntervalBytes = 512
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var model = LogModel()
        var rng = SplitMix64(seed: 99)
        var timestamp: Int64 = 1000
        for i in 0..<200 {
            timestamp += Int64.random(in: -5...20, using: &rng)  // mostly rising, sometimes out of order
            var batch = makeBatch(records: 2, size: Int.random(in: 61...400, using: &rng), timestamp: timestamp, seed: UInt64(i))
            _ = try log.append(&batch)
            model.appended(batch)
        }
        #expect(log.segmentBaseOffsets.count > 5)
        for target in stride(from: Int64(900), through: timestamp + 10, by: 7) {
            let found = try log.firstBatch(atOrAfterTimestamp: target)
            let expected = model.expectedTimestampMatch(target)
            #expect(found?.baseOffset == expected?.baseOffset, "timestamp \(target)")
            if let found, let expected { #expect(try found.region.readBytes() == expected.bytes) }
        }
    }

    @Test func directoryCannotBeOpenedTwice() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        #expect(throws: LogStoreError.directoryLocked(path: dir.path)) { try PartitionLog.open(directory: dir.path) }
        _ = log
    }

    @Test func appendsAfterCloseAreRefused() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let log = try PartitionLog.open(directory: dir.path)
        try await log.close()
        var batch = makeBatch()
        #expect(throws: LogStoreError.closed(path: dir.path)) { try log.append(&batch) }
    }

    @Test func invalidConfigurationIsRefused() {
        var config = LogConfig()
        config.segmentBytes = 10
        #expect(throws: LogStoreError.self) { try PartitionLog.open(directory: "/tmp/never-created", config: config) }
    }

    /// One writer and several readers at once: every read returns whole batches with valid CRCs and
    /// offsets that continue where the previous read ended.
    @Test func readersNeverSeePartialBatches() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.segmentBytes = 64 * 1024
        let log = try PartitionLog.open(directory: dir.path, config: config)
        let total = 3000
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var rng = SplitMix64(seed: 5)
                for i in 0..<total {
                    var batch = makeBatch(records: 3, size: Int.random(in: 61...2000, using: &rng), seed: UInt64(i))
                    _ = try log.append(&batch)
                    if i % 64 == 0 { await Task.yield() }
                }
            }
            for reader in 0..<3 {
                group.addTask {
                    var offset: Int64 = 0
                    let deadline = ContinuousClock.now + .seconds(120)
                    while offset < Int64(total * 3) {
                        try #require(ContinuousClock.now < deadline, "reader stalled at offset \(offset)")
                        let bytes = try log.readBytes(from: offset, maxBytes: 8192 * (reader + 1))
                        if bytes.isEmpty { await Task.yield(); continue }
                        var cursor = 0
                        try bytes.withUnsafeBytes { raw in
                            while cursor < raw.count {
                                let header = try RecordBatchHeader.validate(raw, at: cursor).get()
                                #expect(header.baseOffset <= offset && offset <= header.lastOffset || header.baseOffset == offset)
                                offset = header.lastOffset + 1
                                cursor += header.totalSize
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
