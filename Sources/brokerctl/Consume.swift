import ArgumentParser
import BrokerClient
import KafkaWire
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `consume` prints a record: the value alone, a kcat-like template, or a JSON line.
struct RecordPrinter {
    enum Piece: Equatable {
        case literal([UInt8])
        case topic, partition, offset, key, value, timestamp, headers, keyLength, valueLength
    }

    enum Mode {
        case value
        case json
        case template([Piece])
    }

    let mode: Mode

    static let formatHelp = """
        kcat-like template: %t topic, %p partition, %o offset, %k key, %s value, %T timestamp (ms), \
        %h headers (k=v,...), %K key length, %S value length, %% a percent sign; \\n \\t \\r \\\\ escapes. \
        No newline is added: end the template with \\n.
        """

    /// Parses a `--format` template; the error names the bad directive.
    static func parse(template: String) throws(CtlError) -> [Piece] {
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal.removeAll() }
        }
        var bytes = Array(template.utf8)[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let directive = bytes.popFirst() else {
                    throw .usage("--format ends with a lone '%' (write %% for a percent sign)")
                }
                let piece: Piece?
                switch directive {
                case UInt8(ascii: "t"): piece = .topic
                case UInt8(ascii: "p"): piece = .partition
                case UInt8(ascii: "o"): piece = .offset
                case UInt8(ascii: "k"): piece = .key
                case UInt8(ascii: "s"): piece = .value
                case UInt8(ascii: "T"): piece = .timestamp
                case UInt8(ascii: "h"): piece = .headers
                case UInt8(ascii: "K"): piece = .keyLength
                case UInt8(ascii: "S"): piece = .valueLength
                case UInt8(ascii: "%"): literal.append(directive); piece = nil
                default:
                    throw .usage("--format: unknown directive '%\(String(decoding: [directive], as: UTF8.self))' (use %t %p %o %k %s %T %h %K %S %%)")
                }
                if let piece { flush(); pieces.append(piece) }
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.popFirst() else { literal.append(byte); continue }
                switch escaped {
                case UInt8(ascii: "n"): literal.append(0x0A)
                case UInt8(ascii: "t"): literal.append(0x09)
                case UInt8(ascii: "r"): literal.append(0x0D)
                case UInt8(ascii: "0"): literal.append(0x00)
                case UInt8(ascii: "\\"): literal.append(UInt8(ascii: "\\"))
                default: literal.append(byte); literal.append(escaped)
                }
            default:
                literal.append(byte)
            }
        }
        flush()
        return pieces
    }

    func print(topic: String, partition: Int32, offset: Int64, timestamp: Int64, key: [UInt8]?, value: [UInt8]?,
               headers: [(String, [UInt8]?)], to out: StdoutBuffer) {
        switch mode {
        case .value:
            if let value { out.append(bytes: value) }
            out.append(byte: 0x0A)
        case .json:
            let json = JSON.object([
                ("topic", .string(topic)), ("partition", .int(partition)), ("offset", .int(offset)), ("timestamp", .int(timestamp)),
                ("key", key.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
                ("value", value.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
                ("headers", .array(headers.map {
                    .object([("key", .string($0.0)), ("value", $0.1.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null)])
                })),
            ])
            out.append(json.rendered + "\n")
        case .template(let pieces):
            for piece in pieces {
                switch piece {
                case .literal(let bytes): out.append(bytes: bytes)
                case .topic: out.append(topic)
                case .partition: out.append(String(partition))
                case .offset: out.append(String(offset))
                case .timestamp: out.append(String(timestamp))
                case .key: if let key { out.append(bytes: key) }
                case .value: if let value { out.append(bytes: value) }
                case .keyLength: out.append(String(key?.count ?? -1))
                case .valueLength: out.append(String(value?.count ?? -1))
                case .headers:
                    for (i, header) in headers.enumerated() {
                        if i > 0 { out.append(",") }
                        out.append(header.0 + "=")
                        if let value = header.1 { out.append(bytes: value) }
                    }
                }
            }
        }
    }
}

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic: by default one record value per line, from the beginning.",
        discussion: """
            Without --group, every partition (or --partition P) is read directly and \
            nothing is committed.

            With --group G, the records come through a group member: partitions are \
            assigned by the group and the offsets of the printed records are committed. \
            A group starts at its committed offsets; where it has none, at the beginning \
            (or the end with --from-end).

            Examples:
              brokerctl consume orders --from-beginning -e
              brokerctl consume orders --group billing --from-beginning -n 10
              brokerctl consume orders --partition 1 --offset 42 \\
                --format '%k => %s (%p/%o)\\n'
            """)

    @Argument(help: "Topic to read.") var topic: String
    @Flag(name: .customLong("from-beginning"), help: "Start at the first record (the default without a group).") var fromBeginning = false
    @Flag(name: .customLong("from-end"), help: "Start after the last record: only new records are printed.") var fromEnd = false
    @Option(name: [.short, .long], help: "Start at this offset in every partition read.") var offset: Int64?
    @Option(name: .long, help: ArgumentHelp("Start at the first record at or after this time (epoch milliseconds).", valueName: "ms"))
    var timestamp: Int64?
    @Option(name: [.short, .long], help: "Read only this partition.") var partition: Int32?
    @Option(name: [.short, .long], help: "Consume as a member of this consumer group and commit what is printed.") var group: String?
    @Option(name: [.customShort("n"), .customLong("num")], help: "Stop after printing this many records.") var count: Int?
    @Flag(name: [.customShort("e"), .customLong("exit-at-end")], help: "Stop at the end of the partitions instead of waiting for more.")
    var exitAtEnd = false
    @Option(name: [.short, .long], help: ArgumentHelp(RecordPrinter.formatHelp, valueName: "template")) var format: String?
    @OptionGroup var common: CommonOptions

    func validate() throws {
        let starts = [fromBeginning, fromEnd, offset != nil, timestamp != nil].filter { $0 }.count
        if starts > 1 { throw ValidationError("use only one of --from-beginning, --from-end, --offset and --timestamp") }
        if let offset, offset < 0 { throw ValidationError("--offset must not be negative") }
        if let timestamp, timestamp < 0 { throw ValidationError("--timestamp must not be negative (epoch milliseconds)") }
        if let partition, partition < 0 { throw ValidationError("--partition must not be negative") }
        if let count, count < 0 { throw ValidationError("-n must not be negative") }
        if format != nil && common.json { throw ValidationError("use either --format or --json") }
        if let group {
            if group.isEmpty { throw ValidationError("--group must not be empty") }
            if offset != nil || timestamp != nil || partition != nil {
                throw ValidationError("--offset, --timestamp and --partition cannot be used with --group (the group assigns partitions; use `brokerctl group reset-offsets` to move it)")
            }
        }
        if let format {
            do { _ = try RecordPrinter.parse(template: format) } catch { throw ValidationError(error.message) }
        }
    }

    func makePrinter() throws -> RecordPrinter {
        if common.json { return RecordPrinter(mode: .json) }
        if let format { return RecordPrinter(mode: .template(try RecordPrinter.parse(template: format))) }
        return RecordPrinter(mode: .value)
    }

    func run() async throws {
        let printer = try makePrinter()
        if count == 0 { return }
        if let group {
            try await consumeWithGroup(group, printer: printer)
            return
        }
        let start: StartPosition =
            if fromEnd { .latest } else if let offset { .offset(offset) } else if let timestamp { .timestamp(timestamp) } else { .earliest }
        try await common.withCluster { cluster in
            let fetcher = TopicFetcher(cluster: cluster, topic: topic)
            let partitions = try await TopicFetcher.partitions(of: topic, cluster: cluster, only: partition)
            try await fetcher.seek(partitions, to: start)
            if exitAtEnd { fetcher.maxWaitMs = 0 }
            let out = StdoutBuffer()
            var printed = 0
            while true {
                if exitAtEnd && fetcher.atEnd { break }
                let (records, _, _) = try await fetcher.fetch()
                for record in records {
                    printer.print(topic: topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp,
                                  key: record.key.map { Array($0.readableBytesView) },
                                  value: record.value.map { Array($0.readableBytesView) },
                                  headers: record.headers.map { ($0.key, $0.valueBytes) }, to: out)
                    printed += 1
                    if let count, printed >= count { break }
                }
                out.flush()
                if let count, printed >= count { break }
            }
        }
    }

    /// Consumes as a group member: prints what `poll` returns and commits exactly the printed records
    /// (the next offset of each partition), so `-n N` twice prints 2N distinct records.
    func consumeWithGroup(_ group: String, printer: RecordPrinter) async throws {
        let interrupted = InterruptFlag.install()
        try await common.withCluster { cluster in
            _ = try await TopicFetcher.partitions(of: topic, cluster: cluster)
            var config = ConsumerConfig()
            config.groupId = group
            config.autoOffsetReset = fromEnd ? .latest : .earliest
            config.enableAutoCommit = false
            let consumer = BrokerConsumer(cluster: cluster, config: config)
            do {
                try await consumer.subscribe([topic])
                let admin = BrokerAdmin(cluster: cluster)
                let out = StdoutBuffer()
                var printed = 0
                var emptyPolls = 0
                polling: while !interrupted.isSet {
                    let records = try await consumer.poll(timeout: .milliseconds(500))
                    var offsets: [TopicPartition: Int64] = [:]
                    for record in records {
                        printer.print(topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp,
                                      key: record.key, value: record.value, headers: record.headers.map { ($0.key, $0.valueBytes) }, to: out)
                        offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1
                        printed += 1
                        if let count, printed >= count { break }
                    }
                    out.flush()
                    if !offsets.isEmpty { try await commit(offsets, consumer: consumer) }
                    if let count, printed >= count { break polling }
                    guard records.isEmpty else { emptyPolls = 0; continue }
                    emptyPolls += 1
                    if exitAtEnd {
                        let assigned = await consumer.currentAssignment().sorted()
                        if assigned.isEmpty {
                            // Another member holds every partition (or the join is still under way).
                            if emptyPolls >= 6 { break polling }
                            continue
                        }
                        var atEnd = true
                        for (name, partitions) in Dictionary(grouping: assigned, by: \.topic) {
                            let ends = try await admin.listOffsets(topic: name, partitions: partitions.map(\.partition), timestamp: -1)
                            for partition in partitions {
                                guard let position = await consumer.position(partition), position >= (ends[partition.partition] ?? 0) else {
                                    atEnd = false
                                    continue
                                }
                            }
                        }
                        if atEnd { break polling }
                    }
                }
            } catch {
                await consumer.close()
                throw error
            }
            await consumer.close()
        }
    }

    /// Commits; a rebalance that took the partitions away meanwhile is reported, not fatal.
    private func commit(_ offsets: [TopicPartition: Int64], consumer: BrokerConsumer) async throws {
        do {
            try await consumer.commit(offsets)
        } catch {
            guard let code = error.brokerCode, [.rebalanceInProgress, .illegalGeneration, .unknownMemberId].contains(code) else { throw error }
            Output.error("warning: offsets not committed (\(code)): the group is rebalancing; these records may be delivered again")
        }
    }
}

/// Set by SIGINT or SIGTERM (an atomic store is async-signal-safe).
private let interruptRequested = Atomic<Bool>(false)

/// SIGINT and SIGTERM ask a group consumer to stop after the current poll, so that it commits and
/// leaves the group at once; a second signal exits immediately.
struct InterruptFlag: Sendable {
    var isSet: Bool { interruptRequested.load(ordering: .relaxed) }

    static func install() -> InterruptFlag {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                if interruptRequested.exchange(true, ordering: .relaxed) { _exit(130) }
            }
        }
        return InterruptFlag()
    }
}
