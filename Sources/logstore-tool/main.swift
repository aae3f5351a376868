// Inspect, verify and exercise partition directories, in the spirit of kafka-dump-log.
//
//   logstore-tool dump DIR        segments and every batch header (offsets, sizes, timestamps, CRC)
//   logstore-tool verify DIR      open the log as the broker would (running recovery if needed) and report
//   logstore-tool demo DIR        append, flush, read back and verify a few thousand batches
import Foundation
import LogStore
import LogStoreTesting

#if canImport(Glibc)
import Glibc
#endif

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: logstore-tool dump DIR
               logstore-tool verify DIR
               logstore-tool demo DIR

        """.utf8))
    exit(64)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("logstore-tool: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { usage() }
let directory = arguments[2]

func describe(_ report: RecoveryReport) -> String {
    if report.createdNew { return "new log" }
    var parts = [report.wasCleanShutdown ? "clean shutdown" : "recovered after an unclean shutdown"]
    if !report.scannedSegments.isEmpty { parts.append("scanned \(report.scannedSegments.count) segment(s)") }
    if !report.rebuiltIndexes.isEmpty { parts.append("rebuilt \(report.rebuiltIndexes.count) index(es)") }
    if report.truncatedBytes > 0 { parts.append("truncated \(report.truncatedBytes) byte(s)") }
    if !report.deletedSegments.isEmpty { parts.append("deleted \(report.deletedSegments.count) segment(s)") }
    return parts.joined(separator: ", ")
}

switch arguments[1] {
case "dump":
    // Reads the files directly, without opening (and so without recovering) the log.
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
    if names.isEmpty { fail("no segments in \(directory)") }
    for name in names {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { fail("cannot read \(name)") }
        print("segment \(name) (\(data.count) bytes)")
        let bytes = [UInt8](data)
        var position = 0
        bytes.withUnsafeBytes { raw in
            while position < raw.count {
                guard raw.count - position >= RecordBatchHeader.size else {
                    print("  position \(position): \(raw.count - position) trailing byte(s), not a whole header")
                    return
                }
                let header = RecordBatchHeader(raw, at: position)
                guard header.batchLength >= RecordBatchHeader.minimumBatchLength, position + header.totalSize <= raw.count else {
                    print("  position \(position): batchLength \(header.batchLength) does not fit: torn tail")
                    return
                }
                let batch = UnsafeRawBufferPointer(rebasing: raw[position..<(position + header.totalSize)])
                let crcOK = RecordBatchHeader.computeCRC(batch) == header.crc
                print("  offsets \(header.baseOffset)...\(header.lastOffset) position \(position) size \(header.totalSize)"
                      + " records \(header.recordsCount) maxTimestamp \(header.maxTimestamp)"
                      + " producer \(header.producerId)/\(header.producerEpoch)/\(header.baseSequence)"
                      + " codec \(header.attributes & 0x7) crc \(crcOK ? "ok" : "BAD") magic \(header.magic)")
                position += header.totalSize
            }
        }
    }

case "verify":
    do {
        let log = try PartitionLog.open(directory: directory)
        print("\(directory): offsets \(log.logStartOffset)..<\(log.logEndOffset), \(log.segmentBaseOffsets.count) segment(s), \(log.sizeInBytes) bytes; \(describe(log.recovery))")
        try await log.close()
    } catch {
        fail("\(error)")
    }

case "demo":
    do {
        var config = LogConfig()
        config.segmentBytes = 4 * 1024 * 1024
        let log = try PartitionLog.open(directory: directory, config: config)
        print("opened \(directory): \(describe(log.recovery)); log end offset \(log.logEndOffset)")
        let first = log.logEndOffset
        let clock = ContinuousClock()
        let started = clock.now
        var bytes = 0
        for i in 0..<2000 {
            var batch = SyntheticBatch.make(recordCount: 10, totalSize: 16 * 1024, maxTimestamp: PartitionLog.wallClockMilliseconds(), seed: UInt64(i))
            bytes += try log.append(&batch).byteCount
        }
        try await log.flush()
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("appended 2000 batches (20000 records, \(bytes / 1024 / 1024) MiB) and fsynced in \(String(format: "%.3f", seconds)) s; \(log.syncRounds) fsync round(s)")
        var offset = first
        var readBack = 0
        while offset < log.logEndOffset {
            let result = try log.read(from: offset, maxBytes: 1 << 20)
            for region in result.regions {
                let data = try region.readBytes()
                try data.withUnsafeBytes { raw in
                    var cursor = 0
                    while cursor < raw.count {
                        let header = RecordBatchHeader(raw, at: cursor)
                        guard RecordBatchHeader.computeCRC(UnsafeRawBufferPointer(rebasing: raw[cursor..<(cursor + header.totalSize)])) == header.crc else {
                            throw LogStoreError.invalidBatch(reason: .badCRC, byteOffset: cursor)
                        }
                        offset = header.lastOffset + 1
                        cursor += header.totalSize
                        readBack += 1
                    }
                }
            }
        }
        print("read back and CRC-checked \(readBack) batches; log now \(log.logStartOffset)..<\(log.logEndOffset) in \(log.segmentBaseOffsets.count) segment(s)")
        try await log.close()
        print("closed cleanly; `logstore-tool dump \(directory)` shows the segments")
    } catch {
        fail("\(error)")
    }

default:
    usage()
}
