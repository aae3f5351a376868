import ShopTestSupport
import Foundation
import LogStoreTesting
import Testing
@testable import LogStore

/// Real child processes killed with SIGKILL, and a real file-size limit standing in for a full disk.
@Suite(.serialized) struct CrashTests {
    /// The helper executable is built next to the test bundle by `swift build --build-tests`.
    static var childPath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("logstore-crash-child").path
    }

    struct ChildRun {
        var lines: [String]
        var status: Int32
        var reason: Process.TerminationReason
        var stderr: String
    }

    /// Runs the child; with `killAfterAcks`, sends SIGKILL as soon as that many acks have been read.
    /// Runs on a Dispatch thread because it blocks on the pipe.
    static func runChild(_ arguments: [String], killAfterAcks: Int? = nil) async throws -> ChildRun {
        try #require(FileManager.default.isExecutableFile(atPath: childPath), "missing \(childPath): run `make test`")
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: childPath)
                    process.arguments = arguments
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    var buffer = Data()
                    var lines: [String] = []
                    var acks = 0
                    var killed = false
                    while true {
                        let chunk = out.fileHandleForReading.availableData
                        if chunk.isEmpty { break }
                        buffer.append(chunk)
                        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                            buffer.removeSubrange(buffer.startIndex...newline)
                            lines.append(line)
                            if line.hasPrefix("ack ") { acks += 1 }
                            if let limit = killAfterAcks, acks >= limit, !killed {
                                kill(process.processIdentifier, SIGKILL)
                                killed = true
                            }
                        }
                    }
                    process.waitUntilExit()
                    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    continuation.resume(returning: ChildRun(lines: lines, status: process.terminationStatus,
                                                            reason: process.terminationReason, stderr: stderr))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Checks the whole log: dense offsets from 0 and every batch equal to what the workload wrote.
    static func verifyLog(_ log: PartitionLog) throws -> Int64 {
        var offset: Int64 = 0
        while offset < log.logEndOffset {
            let read = try log.read(from: offset, maxBytes: 1 << 20)
            for region in read.regions {
                let bytes = try region.readBytes()
                try bytes.withUnsafeBytes { raw in
                    var cursor = 0
                    while cursor < raw.count {
                        let header = RecordBatchHeader(raw, at: cursor)
                        try #require(header.baseOffset == offset, "offsets not dense: expected \(offset), found \(header.baseOffset)")
                        let stored = Array(raw[cursor..<(cursor + header.totalSize)])
                        try #require(stored == CrashWorkload.storedBatch(at: offset), "batch at \(offset) differs")
                        offset = header.lastOffset + 1
                        cursor += header.totalSize
                    }
                }
            }
        }
        return offset
    }

    @Test func sigkillNeverLosesAnAcknowledgedBatch() async throws {
        let dir = TemporaryDirectory("crash"); defer { dir.remove() }
        var rng = SplitMix64(seed: UInt64(UInt32(truncatingIfNeeded: time(nil))))
        var acknowledgedEnd: Int64 = 0
        var cycles = 0
        for cycle in 0..<24 {
            let killAfter = Int.random(in: 1...400, using: &rng)
            let run = try await Self.runChild(["append", dir.path, "100000"], killAfterAcks: killAfter)
            #expect(run.reason == .uncaughtSignal && run.status == SIGKILL, "cycle \(cycle): child \(run.reason) \(run.status): \(run.stderr)")
            let ready = try #require(run.lines.first { $0.hasPrefix("ready ") }, "cycle \(cycle): \(run.stderr)")
            // The child recovered at least everything acknowledged before.
            #expect(Int64(ready.dropFirst(6)) ?? -1 >= acknowledgedEnd, "cycle \(cycle): reopened at \(ready)")
            for line in run.lines where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                if parts.count == 3, let last = Int64(parts[2]) { acknowledgedEnd = max(acknowledgedEnd, last + 1) }
            }
            let log = try PartitionLog.open(directory: dir.path, config: CrashWorkload.config)
            let end = try Self.verifyLog(log)
            #expect(end >= acknowledgedEnd, "cycle \(cycle): log ends at \(end) but \(acknowledgedEnd) was acknowledged")
            #expect(end == log.logEndOffset)
            log.simulateCrash()
            cycles += 1
        }
        #expect(cycles >= 20)
        #expect(acknowledgedEnd > 0)
    }

    @Test func fullDiskIsATypedErrorAndLeavesTheLogConsistent() async throws {
        let dir = TemporaryDirectory("full"); defer { dir.remove() }
        // RLIMIT_FSIZE is per file: below the 256 KiB segment size, the first segment hits it mid-append.
        let run = try await Self.runChild(["fill", dir.path, "100000"])
        #expect(run.status == 0 && run.reason == .exit, "child: \(run.stderr)")
        let full = try #require(run.lines.first { $0.hasPrefix("full ") })
        let end = try #require(Int64(full.dropFirst(5)))
        #expect(end > 0)
        let log = try PartitionLog.open(directory: dir.path, config: CrashWorkload.config)
        #expect(try Self.verifyLog(log) == end)
        var more = CrashWorkload.batch(at: end)
        #expect(try log.append(&more).baseOffset == end)  // with space again, it appends where it stopped
        try await log.close()
    }
}
