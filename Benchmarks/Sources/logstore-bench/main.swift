// LogStore and CRC-32C throughput, each figure beside this machine's own limit measured in the same run
// and the same directory. Prints a Markdown table; never fails on timing.
//
//   swift run -c release logstore-bench [--dir PATH] [--startup-gib N] [--quick]
import CCRC32C
import Foundation
import LogStore
import LogStoreTesting

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var directory = "../.data/bench"
    var startupGiB = 10
    var quick = false
}

var options = Options()
var argumentIterator = CommandLine.arguments.dropFirst().makeIterator()
while let argument = argumentIterator.next() {
    switch argument {
    case "--dir": options.directory = argumentIterator.next() ?? options.directory
    case "--startup-gib": options.startupGiB = Int(argumentIterator.next() ?? "") ?? options.startupGiB
    case "--quick": options.quick = true
    case "--help", "-h":
        print("usage: logstore-bench [--dir PATH] [--startup-gib N (0 skips)] [--quick]")
        exit(0)
    default:
        print("unknown argument \(argument)")
        exit(64)
    }
}

let clock = ContinuousClock()
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = clock.now
    try body()
    return seconds(clock.now - start)
}
func measureAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = clock.now
    try await body()
    return seconds(clock.now - start)
}
func mb(_ bytes: Int, _ seconds: Double) -> Double { Double(bytes) / seconds / 1e6 }
func format(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

/// Runs a shell command and returns its stderr+stdout (dd reports on stderr).
@discardableResult
func shell(_ command: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try? process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Bytes per second of a dd invocation, parsed from its summary line ("N bytes ... copied, S s, ...").
func ddRate(_ arguments: String) -> Double {
    let output = shell("dd \(arguments) 2>&1")
    guard let line = output.split(separator: "\n").last(where: { $0.contains("copied") }) else { return .nan }
    let parts = line.split(separator: ",")
    guard parts.count >= 3, let bytes = Double(line.split(separator: " ")[0]),
          let secs = Double(parts[parts.count - 2].trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
    else { return .nan }
    return bytes / secs
}

struct Row { var name: String; var value: String; var limit: String; var ratio: String }
var rows: [Row] = []
@MainActor func report(_ name: String, _ value: Double, unit: String, limitName: String, limit: Double) {
    let row = Row(name: name, value: "\(format(value, value < 10 ? 2 : 0)) \(unit)",
                  limit: "\(limitName) \(format(limit, limit < 10 ? 2 : 0)) \(unit)",
                  ratio: limit.isNaN || limit == 0 ? "–" : "\(format(value / limit * 100))%")
    rows.append(row)
    print("  \(row.name): \(row.value)  (\(row.limit), \(row.ratio))")
}

let base = options.directory
shell("rm -rf '\(base)' && mkdir -p '\(base)'")
let scale = options.quick ? 4 : 1

// MARK: CRC-32C

do {
    print("CRC-32C")
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    for i in buffer.indices { buffer[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
    let rounds = 4096 / scale
    var sink: UInt32 = 0
    func rate(portable: Bool) -> Double {
        var local: UInt32 = 0
        let elapsed = buffer.withUnsafeBytes { raw in
            measure {
                for _ in 0..<rounds {
                    local ^= portable ? crc32c_extend_portable(local, raw.baseAddress, raw.count)
                                      : crc32c_extend(local, raw.baseAddress, raw.count)
                }
            }
        }
        sink ^= local
        return Double(rounds * buffer.count) / elapsed / 1e9
    }
    let hardware = rate(portable: false)
    let portable = rate(portable: true)
    report("CRC-32C, dispatched (SSE4.2, 3 streams)", hardware, unit: "GB/s", limitName: "issue's hardware figure", limit: 7)
    report("CRC-32C, portable slicing-by-8", portable, unit: "GB/s", limitName: "issue's table-driven figure", limit: 0.4)
    if sink == 42 { print("") }
}

// MARK: Append without flush

/// dd into the same directory with the same block size and total, after a `sync` so that neither side
/// inherits the other's dirty pages.
func ddLimit(blockSize: Int, count: Int, flags: String = "") -> Double {
    shell("sync")
    let rate = ddRate("if=/dev/zero of='\(base)/dd' bs=\(blockSize) count=\(count) \(flags)")
    shell("rm -f '\(base)/dd'; sync")
    return rate / 1e6
}

func noFlushConfig() -> LogConfig {
    var config = LogConfig()
    config.flushPolicy = .interval(milliseconds: 0, bytes: 0)
    config.maxBatchBytes = 2 << 20
    return config
}

func appendNoFlush(batchSize: Int, totalBytes: Int, directory: String) async throws -> Double {
    let log = try PartitionLog.open(directory: directory, config: noFlushConfig())
    var batch = SyntheticBatch.make(recordCount: Int32(max(1, batchSize / 100)), totalSize: batchSize, maxTimestamp: 1)
    let count = totalBytes / batchSize
    let elapsed = try measure { for _ in 0..<count { _ = try log.append(&batch) } }
    try await log.close()
    return mb(count * batchSize, elapsed)
}

print("Append, no flush (page cache)")
for (size, label, blockName) in [(16 * 1024, "16 KiB", "16k"), (1 << 20, "1 MiB", "1M")] {
    let total = (512 << 20) / scale
    let limit = ddLimit(blockSize: size, count: total / size)
    let rate = try await appendNoFlush(batchSize: size, totalBytes: total, directory: "\(base)/nf")
    shell("rm -rf '\(base)/nf'")
    report("append \(label) batches, no flush", rate, unit: "MB/s", limitName: "dd bs=\(blockName)", limit: limit)
}

// MARK: Append with group-committed flush

/// `writers` tasks each append one batch and wait until it is durable, over and over.
func appendDurable(batchSize: Int, writers: Int, totalBytes: Int, directory: String) async throws -> (Double, Int, Int) {
    let log = try PartitionLog.open(directory: directory, config: noFlushConfig())
    let perWriter = max(1, totalBytes / batchSize / writers)
    let template = SyntheticBatch.make(recordCount: Int32(max(1, batchSize / 100)), totalSize: batchSize, maxTimestamp: 1)
    let elapsed = try await measureAsync {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var batch = template
                    for _ in 0..<perWriter {
                        let mark = try log.append(&batch).durabilityMark
                        try await log.flush(through: mark)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    let rounds = log.syncRounds
    try await log.close()
    return (mb(perWriter * writers * batchSize, elapsed), rounds, perWriter * writers)
}

print("Append + fsync per append (group commit)")
for (size, label, blockName, total) in [(16 * 1024, "16 KiB", "16k", 64 << 20), (1 << 20, "1 MiB", "1M", 512 << 20)] {
    let bytes = total / scale
    for writers in [1, 8, 64] {
        // The ceiling for N writers is one fsync per N batches: dd writing N batches per synced write.
        let block = size * writers
        let limit = ddLimit(blockSize: block, count: max(1, bytes / block), flags: "oflag=dsync")
        shell("sync")
        let (rate, rounds, appends) = try await appendDurable(batchSize: size, writers: writers, totalBytes: bytes,
                                                              directory: "\(base)/gc")
        shell("rm -rf '\(base)/gc'")
        report("append \(label) + durable, \(writers) writer(s) [\(appends) appends, \(rounds) fsyncs]", rate, unit: "MB/s",
               limitName: "dd bs=\(writers)x\(blockName) oflag=dsync", limit: limit)
    }
}

// MARK: Reads and index lookups

print("Read")
do {
    let directory = "\(base)/read"
    var config = noFlushConfig()
    config.segmentBytes = 128 << 20
    let log = try PartitionLog.open(directory: directory, config: config)
    var batch = SyntheticBatch.make(recordCount: 160, totalSize: 16 * 1024, maxTimestamp: 1)
    let count = (1 << 30) / scale / batch.count
    for _ in 0..<count { _ = try log.append(&batch) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var bytesRead = 0
    let elapsed = try measure {
        var offset: Int64 = 0
        while offset < log.logEndOffset {
            let result = try log.read(from: offset, maxBytes: 1 << 20)
            for region in result.regions {
                bytesRead += buffer.withUnsafeMutableBytes { raw in
                    pread(region.file.descriptor, raw.baseAddress, region.length, off_t(region.position))
                }
            }
            // Every batch holds 160 records, so the next offset follows from the bytes read.
            offset += Int64(result.byteCount / batch.count) * 160
        }
    }
    let segment = "\(directory)/00000000000000000000.log"
    let pageCacheRead = ddRate("if='\(segment)' of=/dev/null bs=1M") / 1e6
    report("read 16 KiB batches, 1 MiB fetches (locate + pread)", mb(bytesRead, elapsed), unit: "MB/s",
           limitName: "dd if=segment of=/dev/null bs=1M", limit: pageCacheRead)

    let lookups = 200_000 / scale
    var rng = SystemRandomNumberGenerator()
    let end = log.logEndOffset
    let lookupTime = try measure {
        for _ in 0..<lookups { _ = try log.read(from: Int64.random(in: 0..<end, using: &rng), maxBytes: 1) }
    }
    let nanoseconds = lookupTime / Double(lookups) * 1e9
    rows.append(Row(name: "offset lookup (index + header read), 1 GiB log, 8 segments", value: "\(format(nanoseconds)) ns",
                    limit: "–", ratio: "–"))
    print("  lookup: \(format(nanoseconds)) ns")
    let timestampTime = try measure { for _ in 0..<(lookups / 10) { _ = try log.firstBatch(atOrAfterTimestamp: 1) } }
    rows.append(Row(name: "timestamp lookup", value: "\(format(timestampTime / Double(lookups / 10) * 1e9)) ns", limit: "–", ratio: "–"))
    try await log.close()
    shell("rm -rf '\(directory)'")
}

// MARK: Start-up of a large log

if options.startupGiB > 0 {
    print("Start-up of a \(options.startupGiB) GiB log")
    let directory = "\(base)/startup"
    var config = noFlushConfig()
    config.segmentBytes = 128 << 20
    do {
        let log = try PartitionLog.open(directory: directory, config: config)
        var batch = SyntheticBatch.make(recordCount: 1000, totalSize: 1 << 20, maxTimestamp: 1)
        for _ in 0..<(options.startupGiB * 1024) { _ = try log.append(&batch) }
        try await log.close()
    }
    shell("sync")
    var reopened: PartitionLog?
    let cleanOpen = try measure { reopened = try PartitionLog.open(directory: directory, config: config) }
    let segmentCount = reopened?.segmentBaseOffsets.count ?? 0
    try await reopened?.close()
    reopened = nil
    rows.append(Row(name: "open \(options.startupGiB) GiB clean log (\(segmentCount) segments)", value: "\(format(cleanOpen * 1000, 1)) ms",
                    limit: "target: well under 1 s", ratio: "–"))
    // Unclean: remove the marker; the recovery checkpoint limits the CRC scan to the active segment.
    unlink("\(directory)/.clean-shutdown")
    let uncleanOpen = try measure { reopened = try PartitionLog.open(directory: directory, config: config) }
    let scanned = reopened?.recovery.scannedSegments.count ?? 0
    try await reopened?.close()
    rows.append(Row(name: "open after a crash (\(scanned) segment(s) CRC-scanned)", value: "\(format(uncleanOpen * 1000, 1)) ms",
                    limit: "–", ratio: "–"))
    print("  clean \(format(cleanOpen * 1000, 1)) ms, unclean \(format(uncleanOpen * 1000, 1)) ms")
    shell("rm -rf '\(directory)'")
}

print("")
print("| benchmark | LogStore | machine limit (same run, same directory) | ratio |")
print("|---|---|---|---|")
for row in rows { print("| \(row.name) | \(row.value) | \(row.limit) | \(row.ratio) |") }
shell("rm -rf '\(base)'")
