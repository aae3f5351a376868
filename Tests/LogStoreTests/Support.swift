import Foundation
import LogStoreTesting
import Synchronization
@testable import LogStore

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "logstore") {
        var template = Array((NSTemporaryDirectory() + "/\(label)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

/// A settable clock for roll-by-age and retention tests.
final class TestClock: Sendable {
    private let now: Atomic<Int64>
    init(_ start: Int64 = 1_700_000_000_000) { now = Atomic(start) }
    func advance(by milliseconds: Int64) { now.add(milliseconds, ordering: .relaxed) }
    var milliseconds: Int64 { now.load(ordering: .relaxed) }
    var function: @Sendable () -> Int64 { { [self] in milliseconds } }
}

final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}



/// What the log should contain: each batch as it must read back (offsets and epoch patched in).
struct LogModel {
    struct Batch {
        var baseOffset: Int64
        var lastOffset: Int64
        var maxTimestamp: Int64
        var bytes: [UInt8]
    }
    var batches: [Batch] = []
    var logStartOffset: Int64 = 0
    var logEndOffset: Int64 { batches.last.map { $0.lastOffset + 1 } ?? logStartOffset }

    mutating func appended(_ patched: [UInt8]) {
        patched.withUnsafeBytes { raw in
            var cursor = 0
            while cursor < raw.count {
                let header = RecordBatchHeader(raw, at: cursor)
                batches.append(Batch(baseOffset: header.baseOffset, lastOffset: header.lastOffset,
                                     maxTimestamp: header.maxTimestamp,
                                     bytes: Array(raw[cursor..<(cursor + header.totalSize)])))
                cursor += header.totalSize
            }
        }
    }

    /// Greedy whole batches from the one containing `offset`: at least one, then while within maxBytes.
    func expectedRead(from offset: Int64, maxBytes: Int) -> [UInt8] {
        guard let first = batches.firstIndex(where: { $0.lastOffset >= offset }) else { return [] }
        var bytes = batches[first].bytes
        for batch in batches[(first + 1)...] {
            guard bytes.count + batch.bytes.count <= maxBytes else { break }
            bytes += batch.bytes
        }
        return bytes
    }

    func expectedTimestampMatch(_ timestamp: Int64) -> Batch? {
        batches.first { $0.maxTimestamp >= timestamp }
    }

    /// Drops batches below a new log start offset (after retention deleted their segments).
    mutating func dropBefore(_ offset: Int64) {
        batches.removeAll { $0.baseOffset < offset }
        logStartOffset = offset
    }
}

extension PartitionLog {
    /// Reads and concatenates the bytes of every region.
    func readBytes(from offset: Int64, maxBytes: Int) throws -> [UInt8] {
        try read(from: offset, maxBytes: maxBytes).regions.flatMap { try $0.readBytes() }
    }

    /// Every batch in the log, from the start, as bytes.
    func allBytes() throws -> [UInt8] {
        var result: [UInt8] = []
        var offset = logStartOffset
        while offset < logEndOffset {
            let read = try read(from: offset, maxBytes: 1 << 20)
            for region in read.regions { result += try region.readBytes() }
            guard let last = read.regions.last else { break }
            // Step past the last batch returned.
            let bytes = try last.readBytes()
            var cursor = 0
            var next = offset
            bytes.withUnsafeBytes { raw in
                while cursor + RecordBatchHeader.size <= raw.count {
                    let header = RecordBatchHeader(raw, at: cursor)
                    next = header.lastOffset + 1
                    cursor += header.totalSize
                }
            }
            offset = next
        }
        return result
    }
}

func makeBatch(records: Int32 = 1, size: Int = 200, timestamp: Int64 = 0, seed: UInt64 = 0) -> [UInt8] {
    SyntheticBatch.make(recordCount: records, totalSize: size, maxTimestamp: timestamp, seed: seed)
}
