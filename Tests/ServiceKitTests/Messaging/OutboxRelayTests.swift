import BrokerClient
import Contracts
import Foundation
import GRDB
import Logging
import Prometheus
@testable import ServiceKit
import ServiceLifecycle
import ShopTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct OutboxRelayTests {
    func relayConfiguration() -> OutboxRelayConfiguration {
        var configuration = OutboxRelayConfiguration(serviceName: "iam-test")
        configuration.pollInterval = .milliseconds(200)
        configuration.backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        configuration.deliveryTimeout = .seconds(2)
        return configuration
    }

    func register(_ database: ServiceDatabase, userId: String, email: String,
                  metadata: EventMetadata = EventMetadata()) async throws -> String {
        try await database.write { db in
            try Outbox.enqueue(UserRegistered(userId: userId, email: email, roles: ["customer"], registeredAt: Date()),
                               metadata: metadata, in: db)
        }
    }

    @Test func publishesInOrderPerAggregateWithTheEnvelopeInHeaders() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic(Topics.iamUser, partitions: 3)
        await cluster.shutdown()

        let registry = PrometheusCollectorRegistry()
        let relay = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: relayConfiguration(),
                                    metrics: registry, logger: testLogger("relay"))
        let group = ServiceGroup(configuration: .init(services: [relay], logger: testLogger("group")))
        let running = Task { try await group.run() }

        let metadata = EventMetadata(correlationId: "corr-1", causationId: "req-1",
                                     traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        var expected: [String: [String]] = [:]  // user id -> event ids in commit order
        for round in 0..<5 {
            for user in ["u-a", "u-b", "u-c"] {
                let id = try await register(database, userId: user, email: "\(user)-\(round)@example.com", metadata: metadata)
                expected[user, default: []].append(id)
            }
        }
        try await waitUntil("every row is published") { try await unpublishedCount(database) == 0 }

        let records = try await readTopic(Topics.iamUser, bootstrap: broker.bootstrap)
        #expect(records.count == 15)
        var seen: [String: [String]] = [:]
        for record in records {
            let headers = record.headerMap
            let key = record.key.map { String(decoding: $0, as: UTF8.self) }
            #expect(headers["event-type"] == "UserRegistered")
            #expect(headers["event-version"] == "1")
            #expect(headers["aggregate-type"] == "user")
            #expect(headers["aggregate-id"] == key)
            #expect(headers["correlation-id"] == "corr-1")
            #expect(headers["causation-id"] == "req-1")
            #expect(headers["traceparent"] == metadata.traceparent)
            #expect(headers["producer"] == "iam-test")
            #expect(headers["occurred-at"].flatMap(Timestamp.parse) != nil)
            let event = try ReceivedEvent(record)
            let payload = try event.decode(UserRegistered.self)
            #expect(payload.userId == key)
            if let key, let eventId = headers["event-id"] { seen[key, default: []].append(eventId) }
        }
        // Each aggregate's events in commit order (one partition per key, records sorted by offset).
        #expect(seen == expected)

        let exposition = registry.emitToString()
        #expect(exposition.contains("outbox_unpublished_rows{service=\"iam-test\"} 0"))
        #expect(exposition.contains("outbox_published_total{service=\"iam-test\"} 15"))

        // run() ends on graceful shutdown.
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func brokerDownAtEnqueueTimePublishesExactlyOnceWhenItComesBack() async throws {
        let holder = BrokerHolder(try await BrokerProcess())
        defer { holder.stop() }
        let bootstrap = holder.current.bootstrap
        holder.current.kill()
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let registry = PrometheusCollectorRegistry()
        let relay = try OutboxRelay(database: database, bootstrap: [bootstrap], configuration: relayConfiguration(),
                                    metrics: registry, logger: testLogger("relay"))
        let running = RunningService { try await relay.run() }

        let eventId = try await register(database, userId: "u-down", email: "down@example.com")
        // The relay tries, fails, and keeps the row (at least two attempts: it retries, it does not give up).
        try await waitUntil("the relay has failed twice", timeout: .seconds(30)) {
            metricValue(registry, "outbox_failed_passes_total{service=\"iam-test\"}") >= 2
        }
        #expect(try await unpublishedCount(database) == 1)
        #expect(registry.emitToString().contains("outbox_unpublished_rows{service=\"iam-test\"} 1"))

        try await holder.restart()
        try await waitUntil("the row is published after the broker is back", timeout: .seconds(60)) {
            try await unpublishedCount(database) == 0
        }
        try await running.stop()
        let matching = try await readTopic(Topics.iamUser, bootstrap: bootstrap).filter { $0.headerMap["event-id"] == eventId }
        #expect(matching.count == 1)
    }

    @Test func aRelayThatDiedAfterTheAckBeforeTheMarkIsNotRepublishedByItsSuccessor() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let acknowledged = CallCounter()
        var dying = relayConfiguration()
        dying.hooks.afterAcknowledged = { eventIds in
            acknowledged.hit()
            throw SimulatedCrash(eventIds: eventIds)
        }
        let first = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: dying,
                                    metrics: PrometheusCollectorRegistry(), logger: testLogger("relay-1"))
        let firstRun = RunningService { try await first.run() }
        let ids = [try await register(database, userId: "u-1", email: "one@example.com"),
                   try await register(database, userId: "u-2", email: "two@example.com")]
        try await waitUntil("the broker acknowledged and the relay 'died' before marking") { acknowledged.count() >= 1 }
        try await firstRun.stop()
        #expect(try await unpublishedCount(database) == 2)

        let second = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: relayConfiguration(),
                                     metrics: PrometheusCollectorRegistry(), logger: testLogger("relay-2"))
        let secondRun = RunningService { try await second.run() }
        try await waitUntil("the successor marks the rows") { try await unpublishedCount(database) == 0 }
        try await secondRun.stop()

        let records = try await readTopic(Topics.iamUser, bootstrap: broker.bootstrap)
        for id in ids { #expect(records.filter { $0.headerMap["event-id"] == id }.count == 1, "event \(id)") }
    }

    @Test func aRelayCancelledMidFlightLeavesItsSuccessorToPublishEachRowOnce() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        var ids: [String] = []
        for index in 0..<60 { ids.append(try await register(database, userId: "u-\(index % 7)", email: "\(index)@example.com")) }
        var configuration = relayConfiguration()
        configuration.batchSize = 10
        let first = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: configuration,
                                    metrics: PrometheusCollectorRegistry(), logger: testLogger("relay-1"))
        let firstRun = RunningService { try await first.run() }
        try await waitUntil("some rows are published") { try await unpublishedCount(database) < 60 }
        try await firstRun.stop()

        // Rows already marked stay marked and are not sent again; the rest go out once.
        let second = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: configuration,
                                     metrics: PrometheusCollectorRegistry(), logger: testLogger("relay-2"))
        let secondRun = RunningService { try await second.run() }
        try await waitUntil("every row is published") { try await unpublishedCount(database) == 0 }
        try await secondRun.stop()

        let records = try await readTopic(Topics.iamUser, bootstrap: broker.bootstrap)
        let counts = Dictionary(grouping: records.compactMap { $0.headerMap["event-id"] }, by: { $0 }).mapValues(\.count)
        #expect(records.count == 60)
        #expect(Set(counts.keys) == Set(ids))
        #expect(counts.values.allSatisfy { $0 == 1 })
    }

    @Test func purgesPublishedRowsOlderThanTheRetention() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        var configuration = relayConfiguration()
        configuration.retention = .seconds(3600)
        let relay = try OutboxRelay(database: database, bootstrap: [broker.bootstrap], configuration: configuration,
                                    metrics: PrometheusCollectorRegistry(), logger: testLogger("relay"))
        _ = try await register(database, userId: "u-1", email: "one@example.com")
        #expect(try await relay.publishPending() == 1)
        _ = try await register(database, userId: "u-2", email: "two@example.com")
        #expect(try await relay.purge() == 0)  // published just now: kept
        #expect(try await relay.purge(now: Date().addingTimeInterval(7200)) == 1)  // only the published row goes
        #expect(try await unpublishedCount(database) == 1)
        await relay.close()
    }
}

struct SimulatedCrash: Error { var eventIds: [String] }
