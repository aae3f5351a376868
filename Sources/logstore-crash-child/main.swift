// Child process of the LogStore crash tests.
//
//   logstore-crash-child append DIR MAX_APPENDS
//       Opens (recovering) the log, appends CrashWorkload batches, waits for each to be durable, and
//       prints "ack BASE LAST" after each. The parent kills it with SIGKILL at a moment of its choosing.
//   logstore-crash-child fill DIR MAX_FILE_BYTES
//       Limits file sizes with RLIMIT_FSIZE (a full disk without filling one), appends until the log
//       refuses, checks that the refusal is `noSpace` and that the log is unchanged and still readable,
//       and prints "full LEO". Exit status 0 only if all of that held.
import LogStore
import LogStoreTesting

#if canImport(Glibc)
import Glibc
#endif

/// One unbuffered write per line: a line the parent reads was really acknowledged before the kill.
func emit(_ line: String, to descriptor: Int32 = 1) {
    let bytes = Array((line + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { exit(3) }
        written += n
    }
}

func fail(_ message: String) -> Never {
    emit("logstore-crash-child: \(message)", to: 2)
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let limit = Int(arguments[3]) else {
    fail("usage: logstore-crash-child append|fill DIR N")
}
let directory = arguments[2]

func appendNext(_ log: PartitionLog) throws -> AppendResult {
    var batch = CrashWorkload.batch(at: log.logEndOffset)
    return try log.append(&batch)
}

switch arguments[1] {
case "append":
    let log: PartitionLog
    do { log = try PartitionLog.open(directory: directory, config: CrashWorkload.config) } catch { fail("open: \(error)") }
    emit("ready \(log.logEndOffset)")
    for _ in 0..<limit {
        do {
            let result = try appendNext(log)
            try await log.flush(through: result.durabilityMark)
            emit("ack \(result.baseOffset) \(result.lastOffset)")
        } catch {
            fail("append: \(error)")
        }
    }
    try? await log.close()

case "fill":
    signal(SIGXFSZ, SIG_IGN)
    var rlimit = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
    guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &rlimit) == 0 else { fail("setrlimit: \(errno)") }
    let log: PartitionLog
    do { log = try PartitionLog.open(directory: directory, config: CrashWorkload.config) } catch { fail("open: \(error)") }
    var refused: LogStoreError?
    for _ in 0..<100_000 {
        do {
            let result = try appendNext(log)
            try await log.flush(through: result.durabilityMark)
        } catch let error as LogStoreError {
            refused = error
            break
        } catch {
            fail("unexpected error type: \(error)")
        }
    }
    guard let refused else { fail("the file size limit was never reached") }
    guard case .noSpace = refused else { fail("expected noSpace, got \(refused)") }
    let end = log.logEndOffset
    // The failed append left nothing behind: the next one fails the same way, and reads still work.
    do {
        _ = try appendNext(log)
        fail("an append after the disk filled succeeded")
    } catch let error as LogStoreError {
        guard case .noSpace = error else { fail("second refusal was \(error)") }
    } catch { fail("unexpected error type: \(error)") }
    guard log.logEndOffset == end else { fail("log end moved from \(end) to \(log.logEndOffset)") }
    do {
        var offset = log.logStartOffset
        while offset < end {
            let read = try log.read(from: offset, maxBytes: 1 << 20)
            for region in read.regions {
                let bytes = try region.readBytes()
                guard bytes.count >= RecordBatchHeader.size else { fail("short region") }
                offset = try bytes.withUnsafeBytes { raw -> Int64 in
                    var cursor = 0
                    var next = offset
                    while cursor < raw.count {
                        let header = RecordBatchHeader(raw, at: cursor)
                        guard Array(raw[cursor..<(cursor + header.totalSize)]) == CrashWorkload.storedBatch(at: header.baseOffset) else {
                            throw LogStoreError.invalidBatch(reason: .badCRC, byteOffset: cursor)
                        }
                        next = header.lastOffset + 1
                        cursor += header.totalSize
                    }
                    return next
                }
            }
        }
    } catch { fail("reading back after the disk filled: \(error)") }
    emit("full \(end)")

default:
    fail("unknown mode \(arguments[1])")
}
