import ArgumentParser
import BrokerClient
import KafkaWire
import Synchronization

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure produce or consume throughput and latency (like kafka-producer-perf-test).",
        discussion: """
            A live progress line goes to stderr (redrawn when stderr is a terminal, a \
            line every 5 s otherwise); the summary goes to stdout: records/s, MB/s \
            (1 MB = 2^20 bytes of keys and values) and latency percentiles (produce: per \
            record, send to acknowledgement; consume: per fetch request). Both stop \
            after --records records or --max-seconds, whichever comes first.
            """,
        subcommands: [Produce.self, Consume.self])

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "produce",
            abstract: "Produce fixed-size records as fast as allowed and report throughput and send-to-ack latency.",
            discussion: "Example: brokerctl bench produce --topic bench --records 500000 --record-size 100 --acks 1")

        @Option(name: [.short, .long], help: "Topic to produce to (created when missing).") var topic = "brokerctl-bench"
        @Option(name: [.short, .long], help: "Number of records to send.") var records = 100_000
        @Option(name: [.customShort("s"), .customLong("record-size")], help: ArgumentHelp("Bytes per record value.", valueName: "bytes")) var recordSize = 100
        @Option(name: [.short, .long], help: "Partitions when the topic is created (default: the broker's).") var partitions: Int32?
        @Option(help: "Acknowledgements to wait for: 0, 1 or all.") var acks: AcksArgument = .all
        @Option(help: "Batch compression: none or lz4.") var compression: CompressionArgument = .none
        @Option(help: ArgumentHelp("Limit the send rate to this many records per second.", valueName: "records/s")) var rate: Double?
        @Option(name: .customLong("in-flight"),
                help: "Most records sent but not yet acknowledged (default: librdkafka's queue.buffering.max.messages, the window kcat produces with).")
        var inFlight = 100_000
        @Option(name: .customLong("linger-ms"), help: "How long a batch waits for more records.") var lingerMs = 5
        @Option(name: .customLong("batch-bytes"), help: "Largest batch per partition.") var batchBytes = 1 << 20
        @Option(name: .customLong("max-seconds"), help: "Stop sending after this many seconds.") var maxSeconds = 300
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if records < 1 { throw ValidationError("--records must be at least 1") }
            if recordSize < 0 || recordSize > 16 << 20 { throw ValidationError("--record-size must be between 0 and 16777216") }
            if let partitions, partitions < 1 { throw ValidationError("--partitions must be at least 1") }
            if let rate, !(rate > 0) { throw ValidationError("--rate must be positive") }
            if inFlight < 1 { throw ValidationError("--in-flight must be at least 1") }
            if lingerMs < 0 { throw ValidationError("--linger-ms must not be negative") }
            if batchBytes < recordSize + 64 { throw ValidationError("--batch-bytes must exceed --record-size") }
            if maxSeconds < 1 { throw ValidationError("--max-seconds must be at least 1") }
        }

        func run() async throws {
            let summary = try await common.withCluster { cluster in
                try await ensureTopic(topic, partitions: partitions, cluster: cluster)
                var config = ProducerConfig(acks: acks, compression: compression)
                config.linger = .milliseconds(lingerMs)
                config.batchBytes = max(batchBytes, recordSize + 128)
                config.bufferBytes = max(config.bufferBytes, inFlight * (recordSize + 64))
                let producer = try BrokerProducer(cluster: cluster, config: config)
                return try await runBench(producer: producer)
            }
            summary.print(json: common.json)
        }

        private func runBench(producer: BrokerProducer) async throws -> BenchSummary {
            // Printable, not compressible to nothing: a random letter pattern repeated.
            var generator = SystemRandomNumberGenerator()
            let payload = (0..<recordSize).map { _ in UInt8.random(in: 65...90, using: &generator) }
            let counters = BenchCounters()
            let failures = FailureCounter()
            let total = records, topic = self.topic, rate = self.rate
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start + .seconds(maxSeconds)
            let progress = ProgressReporter(verb: "produced", total: total, counters: counters, start: start)
            let reporter = Task { await progress.run() }
            // Records go out in chunks (one call and one wait per chunk, like a client's batch); each
            // record's latency is its chunk's send→ack time. Enough workers keep --in-flight records out.
            // With --rate a chunk is at most a millisecond's worth of records: a steady stream, not a
            // burst of 500 every 50 ms whose records would all wait for the whole burst.
            let chunk = max(1, min(500, inFlight, rate.map { Int($0 / 1000) } ?? Int.max))
            let workers = max(1, min(inFlight / chunk, (total + chunk - 1) / chunk, rate == nil ? Int.max : 256))
            // The records of a full chunk and of the last, shorter one, built once and shared.
            var chunks: [Int: [(key: [UInt8]?, value: [UInt8]?)]] = [:]
            for size in Set([chunk, total % chunk == 0 ? chunk : total % chunk]) {
                chunks[size] = [(key: [UInt8]?, value: [UInt8]?)](repeating: (nil, payload), count: size)
            }
            let sharedChunks = chunks
            let latencies = await withTaskGroup(of: [Int64].self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        var mine: [Int64] = []
                        mine.reserveCapacity(total / workers + chunk)
                        while true {
                            let first = counters.issued.add(chunk, ordering: .relaxed).oldValue
                            guard first < total, counters.failed.load(ordering: .relaxed) == 0 else { break }
                            let count = min(chunk, total - first)
                            if let rate {
                                let due = start + .nanoseconds(Int64(Double(first) / rate * 1e9))
                                if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
                            }
                            let sent = clock.now
                            guard sent < deadline else { break }
                            do {
                                let results = try await producer.send(topic: topic, records: sharedChunks[count] ?? .init(repeating: (nil, payload), count: count))
                                let elapsed = clock.now - sent
                                let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
                                var succeeded = 0
                                for result in results {
                                    if case .failure(let error) = result {
                                        failures.record(error)
                                        counters.failed.add(1, ordering: .relaxed)
                                    } else {
                                        succeeded += 1
                                    }
                                }
                                // One sample per record (the chunk's latency), counters once per chunk.
                                mine.append(contentsOf: repeatElement(nanoseconds, count: succeeded))
                                counters.done.add(succeeded, ordering: .relaxed)
                                counters.bytes.add(succeeded * payload.count, ordering: .relaxed)
                            } catch {
                                failures.record(error)
                                counters.failed.add(count, ordering: .relaxed)
                            }
                        }
                        return mine
                    }
                }
                var all: [Int64] = []
                all.reserveCapacity(total)
                for await part in group { all += part }
                return all
            }
            let elapsed = clock.now - start
            reporter.cancel()
            await reporter.value
            await producer.close()
            let (failed, first) = failures.snapshot
            if failed > 0 {
                throw CtlError.failed("\(failed) records were not acknowledged (after \(latencies.count) were): \(first ?? "unknown error")")
            }
            let done = counters.done.load(ordering: .relaxed)
            return BenchSummary(kind: "produce", records: done, bytes: counters.bytes.load(ordering: .relaxed), elapsed: elapsed,
                                latencyLabel: "latency", latencies: latencies,
                                note: done < total ? "stopped after --max-seconds \(maxSeconds)" : nil)
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "consume",
            abstract: "Read a topic from the beginning with plain fetches and report throughput and per-fetch latency.",
            discussion: "Example: brokerctl bench consume --topic bench --records 500000")

        @Option(name: [.short, .long], help: "Topic to read.") var topic = "brokerctl-bench"
        @Option(name: [.short, .long], help: "Stop after this many records (default: at the end of the topic).") var records: Int?
        @Option(name: .customLong("record-size"), help: "Ignored (the records' own sizes are counted); accepted for symmetry with bench produce.")
        var recordSize: Int?
        @Option(name: .customLong("fetch-bytes"), help: "Most bytes per partition per fetch.") var fetchBytes: Int32 = 1 << 20
        @Option(name: .customLong("max-seconds"), help: "Stop after this many seconds.") var maxSeconds = 300
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if let records, records < 1 { throw ValidationError("--records must be at least 1") }
            if fetchBytes < 1024 { throw ValidationError("--fetch-bytes must be at least 1024") }
            if maxSeconds < 1 { throw ValidationError("--max-seconds must be at least 1") }
        }

        func run() async throws {
            let summary = try await common.withCluster { cluster in
                let fetcher = TopicFetcher(cluster: cluster, topic: topic)
                let partitions = try await TopicFetcher.partitions(of: topic, cluster: cluster)
                try await fetcher.seek(partitions, to: .earliest)
                fetcher.maxWaitMs = 0
                fetcher.partitionMaxBytes = fetchBytes
                let clock = ContinuousClock()
                let start = clock.now
                let deadline = start + .seconds(maxSeconds)
                let ends = try await BrokerAdmin(cluster: cluster).listOffsets(topic: topic, partitions: partitions, timestamp: -1)
                let available = partitions.reduce(0) { $0 + Int(max(0, (ends[$1] ?? 0) - (fetcher.positions[$1] ?? 0))) }
                let target = records ?? available
                let counters = BenchCounters()
                let progress = ProgressReporter(verb: "consumed", total: target, counters: counters, start: start)
                let reporter = Task { await progress.run() }
                var latencies: [Int64] = []
                var consumed = 0, bytes = 0
                var note: String? = nil
                while consumed < target {
                    if clock.now >= deadline { note = "stopped after --max-seconds \(maxSeconds)"; break }
                    if fetcher.atEnd {
                        note = "reached the end of '\(topic)' after \(consumed) records"
                        break
                    }
                    let (fetched, fetchedBytes, latency) = try await fetcher.fetch()
                    latencies.append(latency.components.seconds * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000)
                    var take = fetched.count, takeBytes = fetchedBytes
                    if consumed + take > target {
                        take = target - consumed
                        takeBytes = fetched.prefix(take).reduce(0) { $0 + ($1.key?.readableBytes ?? 0) + ($1.value?.readableBytes ?? 0) }
                    }
                    consumed += take
                    bytes += takeBytes
                    counters.done.add(take, ordering: .relaxed)
                    counters.bytes.add(takeBytes, ordering: .relaxed)
                }
                let elapsed = clock.now - start
                reporter.cancel()
                await reporter.value
                return BenchSummary(kind: "consume", records: consumed, bytes: bytes, elapsed: elapsed,
                                    latencyLabel: "fetch latency", latencies: latencies,
                                    note: note.map { $0 + (records == nil ? "" : " (asked for \(target))") })
            }
            summary.print(json: common.json)
        }
    }
}

/// Creates the bench topic when it is missing; warns when it exists with another partition count.
func ensureTopic(_ topic: String, partitions: Int32?, cluster: BrokerCluster) async throws {
    let metadata = try await cluster.refreshMetadata(topics: [topic])
    if let info = metadata.topics[topic], info.error == nil {
        if let partitions, info.partitions.count != Int(partitions) {
            Output.error("note: topic '\(topic)' exists with \(info.partitions.count) partitions; --partitions \(partitions) ignored")
        }
        return
    }
    do {
        try await BrokerAdmin(cluster: cluster).createTopic(topic, partitions: partitions ?? -1)
    } catch {
        // Auto-created meanwhile is fine.
        guard error.brokerCode == .topicAlreadyExists else { throw error }
    }
}

final class BenchCounters: Sendable {
    let issued = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
}

/// The progress line on stderr: redrawn in place on a terminal, one line every 5 s otherwise.
struct ProgressReporter: Sendable {
    let verb: String
    let total: Int
    let counters: BenchCounters
    let start: ContinuousClock.Instant

    func run() async {
        let terminal = Output.stderrIsTerminal
        let interval: Duration = terminal ? .milliseconds(500) : .seconds(5)
        var lastTime = start, lastDone = 0, lastBytes = 0
        var drew = false
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            let now = ContinuousClock.now
            let done = counters.done.load(ordering: .relaxed), bytes = counters.bytes.load(ordering: .relaxed)
            let seconds = max((now - lastTime).inSeconds, 1e-9)
            let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
            let line = "\(verb) \(done)/\(total) records (\(String(fixed: percent, 1))%), "
                + "\(String(fixed: Double(done - lastDone) / seconds, 1)) records/s, "
                + "\(String(fixed: Double(bytes - lastBytes) / seconds / 1_048_576, 2)) MB/s"
            if terminal {
                Output.write("\r\u{1B}[K" + line, to: 2)
                drew = true
            } else {
                Output.error(line)
            }
            (lastTime, lastDone, lastBytes) = (now, done, bytes)
        }
        if drew { Output.write("\r\u{1B}[K", to: 2) }
    }
}

struct BenchSummary {
    var kind: String
    var records: Int
    var bytes: Int
    var elapsed: Duration
    var latencyLabel: String
    /// Nanoseconds.
    var latencies: [Int64]
    var note: String?

    func print(json: Bool) {
        let seconds = max(elapsed.inSeconds, 1e-9)
        let recordsPerSecond = Double(records) / seconds
        let megabytesPerSecond = Double(bytes) / seconds / 1_048_576
        let sorted = latencies.sorted()
        func percentile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1e6
        }
        let average = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6
        let maximum = Double(sorted.last ?? 0) / 1e6
        if json {
            Output.line(JSON.object([
                ("kind", .string(kind)), ("records", .int(records)), ("bytes", .int(bytes)), ("seconds", .double(seconds)),
                ("recordsPerSecond", .double(recordsPerSecond)), ("mbPerSecond", .double(megabytesPerSecond)),
                ("latencyMs", .object([
                    ("samples", .int(sorted.count)), ("avg", .double(average)), ("p50", .double(percentile(0.5))),
                    ("p99", .double(percentile(0.99))), ("p999", .double(percentile(0.999))), ("max", .double(maximum)),
                ])),
                ("note", .optionalString(note)),
            ]).rendered)
            return
        }
        if let note { Output.error("note: \(note)") }
        let verb = kind == "produce" ? "sent" : "consumed"
        Output.line("\(records) records \(verb) in \(String(fixed: seconds, 2)) s, \(String(fixed: recordsPerSecond, 1)) records/s "
                    + "(\(String(fixed: megabytesPerSecond, 2)) MB/s), \(latencyLabel) avg \(String(fixed: average, 2)) ms, "
                    + "p50 \(String(fixed: percentile(0.5), 2)) ms, p99 \(String(fixed: percentile(0.99), 2)) ms, "
                    + "p99.9 \(String(fixed: percentile(0.999), 2)) ms, max \(String(fixed: maximum, 2)) ms"
                    + (kind == "consume" ? " (\(sorted.count) fetches)" : ""))
    }
}
