import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

/// Recovery treats every length on disk as untrusted input (issue 19): a tail that claims more bytes
/// than the file holds is cut without reading or allocating what it claims, and batches larger than
/// the scan buffer are verified piece by piece.
@Suite struct HostileTailTests {
    /// A crashed log of `count` small batches; returns the directory's single segment path and its size.
    private func crashedLog(_ dir: TemporaryDirectory, count: Int, config: LogConfig = LogConfig()) async throws -> (String, Int64) {
        let log = try PartitionLog.open(directory: dir.path, config: config)
        for i in 0..<count {
            var batch = makeBatch(records: 2, size: 300, timestamp: Int64(i), seed: UInt64(i))
            _ = try log.append(&batch)
        }
        try await log.flush()
        log.simulateCrash()
        let path = dir.file(Segment.fileName(0, ".log"))
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64)
        return (path, size)
    }

    private func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    private static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// The tail: 12 bytes of garbage whose batchLength claims 2 GiB. The old scanner allocated a
    /// 2 GiB buffer first (4.9 s and 2.1 GB per restart); now the claim is compared with the file.
    @Test func aTwelveByteTailClaimingTwoGibibytesIsCutWithoutAllocatingIt() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (path, size) = try await crashedLog(dir, count: 20)
        var tail = [UInt8](repeating: 0, count: 12)
        tail.withUnsafeMutableBytes { raw in
            raw.storeBigEndian(Int64(40), at: 0)            // the next offset: plausible
            raw.storeBigEndian(Int32(0x7FFF_FFF0), at: 8)   // about 2 GiB
        }
        try appendBytes(tail, to: path)
        let before = Self.peakResidentBytes()
        let reopened = try PartitionLog.open(directory: dir.path)
        // Other suites run in this process at the same time, but none comes near 1 GiB.
        #expect(Self.peakResidentBytes() - before < 1 << 30)
        #expect(reopened.logEndOffset == 40)
        #expect(reopened.recovery.truncatedBytes == 12)
        let cut = try #require(reopened.recovery.truncations.first)
        #expect(cut == RecoveryReport.Truncation(segment: 0, validBytes: size, bytesCut: 12, reason: cut.reason))
        #expect(cut.reason.contains("claims 2147483644 bytes but only 12 remain"))
        var batch = makeBatch()
        #expect(try reopened.append(&batch).baseOffset == 40)
    }

    /// Every claimed length from 0 to far beyond the file, at the tail: recovery keeps exactly the whole
    /// batches before it, and the report says why it cut.
    @Test func anyClaimedLengthInATornTailIsCut() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let (path, size) = try await crashedLog(dir, count: 5)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let claims: [Int32] = [Int32.min, -1, 0, 48, 49, 500, 1 << 20, (1 << 20) + 1, 64 << 20, Int32.max]
        for claimed in claims {
            try original.write(to: URL(fileURLWithPath: path))
            var tail = [UInt8](repeating: 0xAB, count: 100)
            tail.withUnsafeMutableBytes { raw in
                raw.storeBigEndian(Int64(10), at: 0)
                raw.storeBigEndian(claimed, at: 8)
            }
            try appendBytes(tail, to: path)
            let reopened = try PartitionLog.open(directory: dir.path)
            #expect(reopened.logEndOffset == 10, "claimed \(claimed)")
            #expect(reopened.recovery.truncations.map(\.validBytes) == [size], "claimed \(claimed)")
            #expect(reopened.recovery.truncatedBytes == 100, "claimed \(claimed)")
            reopened.simulateCrash()
        }
    }

    /// A batch larger than the 1 MiB scan buffer is CRC-checked in pieces: intact it is kept; a flipped
    /// byte in its middle cuts the log before it; torn half-way it is cut as a torn write.
    @Test func batchesLargerThanTheScanBufferAreVerifiedInPieces() async throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        var config = LogConfig()
        config.maxBatchBytes = 8 << 20
        let log = try PartitionLog.open(directory: dir.path, config: config)
        var small = makeBatch(records: 1, size: 200, seed: 1)
        _ = try log.append(&small)
        let largeSize = 3 * SegmentScanner.bufferBytes + 12345
        var large = makeBatch(records: 3, size: largeSize, seed: 2)
        _ = try log.append(&large)
        var after = makeBatch(records: 1, size: 200, seed: 3)
        _ = try log.append(&after)
        try await log.flush()
        log.simulateCrash()
        let path = dir.file(Segment.fileName(0, ".log"))
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        let intact = try PartitionLog.open(directory: dir.path, config: config)
        #expect(intact.recovery.scannedSegments == [0])
        #expect(intact.recovery.truncatedBytes == 0)
        #expect(intact.logEndOffset == 5)
        let read = try intact.read(from: 1, maxBytes: 1)
        #expect(read.regions.first?.length == largeSize)
        intact.simulateCrash()

        var flipped = original
        flipped[200 + 2 * SegmentScanner.bufferBytes + 7] ^= 0x01
        try flipped.write(to: URL(fileURLWithPath: path))
        let damaged = try PartitionLog.open(directory: dir.path, config: config)
        #expect(damaged.logEndOffset == 1)
        #expect(damaged.recovery.truncations.first?.reason == LogStoreError.InvalidBatchReason.badCRC.rawValue)
        damaged.simulateCrash()

        try original.prefix(200 + largeSize / 2).write(to: URL(fileURLWithPath: path))
        let torn = try PartitionLog.open(directory: dir.path, config: config)
        #expect(torn.logEndOffset == 1)
        #expect(torn.recovery.truncations.first?.reason.contains("torn write") == true)
    }
}

@Suite struct DurableFilesTests {
    @Test func createReplaceAndRemove() throws {
        let dir = TemporaryDirectory(); defer { dir.remove() }
        let nested = dir.path + "/a/b/c"
        try DurableFiles.createDirectory(nested)
        try DurableFiles.createDirectory(nested)  // again: nothing to do
        try DurableFiles.replace(nested + "/file", contents: Array("one".utf8))
        try DurableFiles.replace(nested + "/file", contents: Array("two".utf8))
        #expect(FileSystem.readSmallFile(nested + "/file") == Array("two".utf8))
        #expect(try FileSystem.listDirectory(nested) == ["file"])  // no temporary file left behind
        try DurableFiles.remove(nested + "/file")
        try DurableFiles.remove(nested + "/file")  // absent is fine
        try DurableFiles.replace(nested + "/other", contents: [])
        try DurableFiles.removeTree(dir.path + "/a")
        #expect(!FileSystem.exists(dir.path + "/a"))
        try DurableFiles.removeTree(dir.path + "/a")
        #expect(DurableFiles.parent(of: "/x") == "/")
        #expect(DurableFiles.parent(of: "x") == ".")
        #expect(DurableFiles.parent(of: "/x/y/z") == "/x/y")
    }
}
