import BrokerClient
import Contracts
import Foundation
import GRDB
import KafkaWire
import Logging
import Prometheus
@testable import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// A temp SQLite file per test, with a small projection table the consumer tests write to.
func makeTestDatabase() throws -> ServiceDatabase {
    let path = NSTemporaryDirectory() + "servicekit-messaging-\(UUID().uuidString)/service.sqlite"
    let projection = ServiceMigration("test-user-projection") { db in
        try db.create(table: "user_projection") { t in
            t.primaryKey("user_id", .text)
            t.column("email", .text).notNull()
            t.column("applied_count", .integer).notNull()
        }
    }
    return try ServiceDatabase(path: path, migrations: [projection])
}

func removeDatabase(_ database: ServiceDatabase) {
    try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: database.path).deletingLastPathComponent().path)
}

func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["MESSAGING_TEST_LOGS"] == nil ? .critical : .debug
    return logger
}

/// Polls `condition` until it holds or the deadline passes (bounded polling, not a sleep).
func waitUntil(_ what: String, timeout: Duration = .seconds(30),
               _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting until \(what)")
    throw WaitTimeout(what: what)
}

struct WaitTimeout: Error { var what: String }

/// Every record of `topic` from the beginning up to its current end.
func readTopic(_ topic: String, bootstrap: String) async throws -> [ConsumerRecord] {
    let cluster = try BrokerCluster(bootstrap: [bootstrap])
    do {
        let records = try await readTopic(topic, cluster: cluster)
        await cluster.shutdown()
        return records
    } catch {
        await cluster.shutdown()
        throw error
    }
}

private func readTopic(_ topic: String, cluster: BrokerCluster) async throws -> [ConsumerRecord] {
    let metadata = try await cluster.refreshMetadata(topics: [topic])
    guard let info = metadata.topics[topic], info.error == nil else { return [] }
    let partitions = info.partitions.map { TopicPartition(topic, $0.index) }
    let ends = try await BrokerAdmin(cluster: cluster).listOffsets(topic: topic, partitions: partitions.map(\.partition), timestamp: -1)
    var config = ConsumerConfig()
    config.fetchMaxWait = .milliseconds(50)
    let consumer = BrokerConsumer(cluster: cluster, config: config)
    await consumer.assign(partitions)
    try await consumer.seekToBeginning(partitions)
    var records: [ConsumerRecord] = []
    let deadline = ContinuousClock.now + .seconds(20)
    func done() async -> Bool {
        for partition in partitions where (await consumer.position(partition) ?? 0) < (ends[partition.partition] ?? 0) { return false }
        return true
    }
    while !(await done()) && ContinuousClock.now < deadline {
        records += try await consumer.poll(timeout: .milliseconds(200))
    }
    await consumer.close()
    return records.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
}

extension ConsumerRecord {
    var headerMap: [String: String] {
        var map: [String: String] = [:]
        for header in headers { if let value = header.valueBytes { map[header.key] = String(decoding: value, as: UTF8.self) } }
        return map
    }
}

/// Runs a `Service` in a task, for tests that stop it by cancellation (as a crash-free stop would).
final class RunningService: Sendable {
    let task: Task<Void, any Error>
    init(_ run: @escaping @Sendable () async throws -> Void) { task = Task { try await run() } }
    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

/// Counts calls, for handlers and hooks.
final class CallCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func hit(_ key: String = "") { counts.withLock { $0[key, default: 0] += 1 } }
    func count(_ key: String = "") -> Int { counts.withLock { $0[key] ?? 0 } }
}

/// A switch a test flips (a handler that fails until fixed).
final class Flag: Sendable {
    private let value: Mutex<Bool>
    init(_ initial: Bool) { value = Mutex(initial) }
    var isOn: Bool { value.withLock { $0 } }
    func set(_ on: Bool) { value.withLock { $0 = on } }
}

/// The broker of one test; `current` changes when the test restarts it.
final class BrokerHolder: Sendable {
    private let state: Mutex<BrokerProcess>
    init(_ broker: BrokerProcess) { state = Mutex(broker) }
    var current: BrokerProcess { state.withLock { $0 } }
    func restart() async throws {
        let restarted = try await current.restarted()
        state.withLock { $0 = restarted }
    }
    func stop() { current.shutdown() }
}

func unpublishedCount(_ database: ServiceDatabase) async throws -> Int {
    try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") ?? -1 }
}

/// The value of one series in the registry's exposition (0 when absent).
func metricValue(_ registry: PrometheusCollectorRegistry, _ series: String) -> Double {
    for line in registry.emitToString().split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1)) ?? 0
    }
    return 0
}
