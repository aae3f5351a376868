import ArgumentParser
import BrokerClient
import Dispatch
import Foundation
import KafkaWire
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--acks 0|1|all` (also -1 for all).
enum AcksArgument: String, ExpressibleByArgument, CaseIterable {
    case none = "0"
    case leader = "1"
    case all = "all"

    init?(argument: String) {
        switch argument.lowercased() {
        case "0": self = .none
        case "1": self = .leader
        case "all", "-1": self = .all
        default: return nil
        }
    }

    var acks: ProducerConfig.Acks {
        switch self {
        case .none: .none
        case .leader: .leader
        case .all: .all
        }
    }
}

/// `--compression none|lz4`.
enum CompressionArgument: String, ExpressibleByArgument, CaseIterable {
    case none, lz4

    var codec: CompressionCodec { self == .lz4 ? .lz4 : .none }
}

extension ProducerConfig {
    /// acks and compression as the command line asks; idempotence only with acks=all (the producer requires it).
    init(acks: AcksArgument, compression: CompressionArgument) {
        self.init()
        self.acks = acks.acks
        self.idempotent = acks == .all
        self.compression = compression.codec
    }
}

/// Failures of records sent without waiting, counted as they are reported.
final class FailureCounter: Sendable {
    private let state = Mutex<(count: Int, first: String?)>((0, nil))

    func record(_ error: Error) {
        let text = (error as? BrokerClientError).map { CtlError($0).message } ?? "\(error)"
        state.withLock { value in
            value.count += 1
            if value.first == nil { value.first = text }
        }
    }

    var snapshot: (count: Int, first: String?) { state.withLock { $0 } }
}

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce records read from stdin or a file, one record per line.",
        discussion: """
            Each input line (without its newline) is one record value. With \
            --key-separator, the text before the first separator is the key and the rest \
            the value; a line without the separator has no key. Keyed records go to the \
            partition the Java client would choose (murmur2).

            Example:
              printf 'k1:v1\\nk2:v2\\n' | brokerctl produce orders --key-separator :
            """)

    @Argument(help: "Topic to produce to.") var topic: String
    @Option(name: [.short, .long], help: "Read records from this file instead of stdin.") var file: String?
    @Option(name: [.customShort("K"), .customLong("key-separator")], help: ArgumentHelp("Split each line into key and value at the first SEP.", valueName: "sep"))
    var keySeparator: String?
    @Option(name: [.customShort("H"), .customLong("header")], help: ArgumentHelp("A header added to every record; repeatable.", valueName: "key=value"))
    var headers: [String] = []
    @Option(name: [.short, .long], help: "Produce every record to this partition instead of choosing by key.") var partition: Int32?
    @Option(help: "Acknowledgements to wait for: 0, 1 or all.") var acks: AcksArgument = .all
    @Option(help: "Batch compression: none or lz4.") var compression: CompressionArgument = .none
    @Flag(name: [.short, .long], help: "Print nothing on success.") var quiet = false
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let keySeparator, keySeparator.isEmpty { throw ValidationError("--key-separator must not be empty") }
        for header in headers where header.splitKeyValue() == nil { throw ValidationError("--header '\(header)' is not key=value") }
        if let partition, partition < 0 { throw ValidationError("--partition must not be negative") }
    }

    func run() async throws {
        let recordHeaders = headers.compactMap { $0.splitKeyValue() }.map { RecordHeader(key: $0.key, valueBytes: Array($0.value.utf8)) }
        let separator = keySeparator.map { Array($0.utf8) }
        let fd: Int32
        if let file {
            fd = open(file, O_RDONLY)
            guard fd >= 0 else { throw CtlError.failed("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            fd = 0
        }
        defer { if fd != 0 { close(fd) } }

        let started = ContinuousClock.now
        let (count, bytes) = try await common.withCluster { cluster in
            // Fail early, with a clear message, when the topic does not exist.
            let metadata = try await cluster.refreshMetadata(topics: [topic], allowAutoCreate: true)
            if let error = metadata.topics[topic]?.error ?? (metadata.topics[topic] == nil ? .unknownTopicOrPartition : nil) {
                throw CtlError.failed("topic '\(topic)': \(error)"
                                      + (error == .unknownTopicOrPartition ? " (create it with `brokerctl topic create \(topic)`)" : ""))
            }
            let producer = try BrokerProducer(cluster: cluster, config: ProducerConfig(acks: acks, compression: compression))
            let failures = FailureCounter()
            await producer.onFireAndForgetError { failures.record($0) }
            var count = 0, bytes = 0
            // Without headers or a fixed partition, records go to the producer in bulk (one actor hop each).
            let bulk = recordHeaders.isEmpty && partition == nil
            var pending: [(key: [UInt8]?, value: [UInt8]?)] = []
            do {
                try await LineReader.forEachLine(fd: fd) { line in
                    var key: [UInt8]? = nil
                    var value = Array(line)
                    if let separator, let cut = line.firstRange(of: separator) {
                        key = Array(line[line.startIndex..<cut.lowerBound])
                        value = Array(line[cut.upperBound...])
                    }
                    bytes += value.count + (key?.count ?? 0)
                    count += 1
                    if bulk {
                        pending.append((key, value))
                        if pending.count >= 1000 {
                            try await producer.sendWithoutWaiting(topic: topic, records: pending)
                            pending.removeAll(keepingCapacity: true)
                        }
                    } else {
                        try await producer.sendWithoutWaiting(topic: topic, key: key, value: value, headers: recordHeaders, partition: partition)
                    }
                } afterChunk: {
                    // Interactive input: whatever a read returned is sent now, not when 1000 lines have gathered.
                    if !pending.isEmpty {
                        try await producer.sendWithoutWaiting(topic: topic, records: pending)
                        pending.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                await producer.close()
                throw error
            }
            await producer.close()
            let (failed, first) = failures.snapshot
            if failed > 0 {
                throw CtlError.failed("\(failed) of \(count) records were not acknowledged: \(first ?? "unknown error")")
            }
            return (count, bytes)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        if common.json {
            Output.line(JSON.object([("topic", .string(topic)), ("records", .int(count)), ("bytes", .int(bytes)),
                                     ("acks", .string(acks.rawValue)), ("seconds", .double(seconds))]).rendered)
        } else if !quiet {
            Output.error("produced \(count) record\(count == 1 ? "" : "s") (\(bytes) bytes) to '\(topic)'")
        }
    }
}

/// Reads a file descriptor on a thread of its own (a blocking read must not hold one of Swift's few
/// cooperative threads, or an interactive producer would send nothing until end of input) and hands
/// over chunks with a small read-ahead.
enum LineReader {
    private enum Chunk: Sendable {
        case bytes([UInt8])
        case failure(Int32)
    }

    static func forEachLine(fd: Int32, chunkSize: Int = 1 << 20,
                            _ body: (ArraySlice<UInt8>) async throws -> Void,
                            afterChunk: () async throws -> Void = {}) async throws {
        // Starts at 0 and is raised to the read-ahead: libdispatch traps when a semaphore is released
        // below its initial value, which happens here when the consumer stops early.
        let credits = DispatchSemaphore(value: 0)
        for _ in 0..<4 { credits.signal() }
        let (stream, continuation) = AsyncStream<Chunk>.makeStream()
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                credits.wait()
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
                if count < 0 {
                    if errno == EINTR { credits.signal(); continue }
                    continuation.yield(.failure(errno))
                    break
                }
                if count == 0 { break }
                continuation.yield(.bytes(Array(buffer[0..<count])))
            }
            continuation.finish()
        }
        thread.start()

        var pending: [UInt8] = []
        for await chunk in stream {
            credits.signal()
            guard case .bytes(let bytes) = chunk else {
                if case .failure(let code) = chunk { throw CtlError.failed("cannot read input: \(String(cString: strerror(code)))") }
                continue
            }
            var start = 0
            while let newline = bytes[start...].firstIndex(of: 0x0A) {
                if pending.isEmpty {
                    try await body(bytes[start..<newline])
                } else {
                    pending.append(contentsOf: bytes[start..<newline])
                    try await body(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            pending.append(contentsOf: bytes[start...])
            try await afterChunk()
        }
        if !pending.isEmpty { try await body(pending[...]) }
        try await afterChunk()
    }
}
