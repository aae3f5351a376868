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

@Suite(.serialized) struct EventConsumerRunnerTests {
    static let group = "projector"

    func configuration() -> EventConsumerConfiguration {
        var configuration = EventConsumerConfiguration(serviceName: "customer-test", groupId: Self.group, topics: [Topics.iamUser])
        configuration.maxAttempts = 3
        configuration.retryBackoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(50))
        configuration.brokerBackoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        configuration.pollTimeout = .milliseconds(200)
        configuration.lagInterval = .milliseconds(200)
        configuration.deliveryTimeout = .seconds(5)
        configuration.consumer.sessionTimeout = .seconds(6)
        configuration.consumer.rebalanceTimeout = .seconds(10)
        configuration.consumer.heartbeatInterval = .milliseconds(300)
        configuration.consumer.fetchMaxWait = .milliseconds(100)
        return configuration
    }

    /// The projection handler: upserts the user and counts how often it was applied. Fails for emails
    /// containing "poison" while `poisoned` is on.
    func projector(calls: CallCounter, poisoned: Flag = Flag(false)) -> EventConsumerRunner.Handler {
        { event, db in
            let user = try event.decode(UserRegistered.self)
            calls.hit(user.email)
            if poisoned.isOn && user.email.contains("poison") { throw ProjectionError.poisoned(user.email) }
            try db.execute(sql: """
                INSERT INTO user_projection (user_id, email, applied_count) VALUES (?, ?, 1)
                ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, applied_count = applied_count + 1
                """, arguments: [user.userId, user.email])
        }
    }

    /// Produces a UserRegistered record with a full envelope, as the relay would.
    func produce(_ producer: BrokerProducer, userId: String, email: String, eventId: String = EventID.make()) async throws -> String {
        let payload = try EventCoding.encoder().encode(UserRegistered(userId: userId, email: email, roles: ["customer"], registeredAt: Date()))
        let headers = [
            ("event-id", eventId), ("event-type", UserRegistered.eventType), ("event-version", "1"), ("aggregate-type", "user"),
            ("aggregate-id", userId), ("occurred-at", Timestamp.format(Date())), ("producer", "iam-test"),
        ].map { RecordHeader(key: $0.0, valueBytes: Array($0.1.utf8)) }
        _ = try await producer.send(topic: Topics.iamUser, key: Array(userId.utf8), value: Array(payload), headers: headers)
        return eventId
    }

    func appliedCount(_ database: ServiceDatabase, _ userId: String) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT applied_count FROM user_projection WHERE user_id = ?", arguments: [userId]) ?? 0
        }
    }

    func storedOffset(_ database: ServiceDatabase, group: String = group) async throws -> Int64? {
        try await database.read { db in
            try Int64.fetchOne(db, sql: "SELECT next_offset FROM consumer_offset WHERE group_id = ? AND topic = ? AND partition = 0",
                               arguments: [group, Topics.iamUser])
        }
    }

    @Test func aRedeliveredEventIsAppliedOnce() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic(Topics.iamUser, partitions: 1)
        let producer = try BrokerProducer(cluster: cluster)
        let eventId = try await produce(producer, userId: "u-1", email: "one@example.com")
        _ = try await produce(producer, userId: "u-1", email: "one@example.com", eventId: eventId)  // the same event again
        _ = try await produce(producer, userId: "u-2", email: "two@example.com")

        let calls = CallCounter()
        let registry = PrometheusCollectorRegistry()
        let runner = try EventConsumerRunner(database: database, bootstrap: [broker.bootstrap], configuration: configuration(),
                                             metrics: registry, logger: testLogger("consumer"), handler: projector(calls: calls))
        let running = RunningService { try await runner.run() }
        try await waitUntil("all three records are consumed") { try await storedOffset(database) == 3 }
        #expect(try await appliedCount(database, "u-1") == 1)
        #expect(try await appliedCount(database, "u-2") == 1)
        #expect(calls.count("one@example.com") == 1)
        let inbox = try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox") }
        #expect(inbox == 2)
        try await waitUntil("the lag gauge reads zero") {
            registry.emitToString().contains("consumer_lag_records{service=\"customer-test\",group=\"projector\",topic=\"iam.user.v1\",partition=\"0\"} 0")
        }
        #expect(registry.emitToString().contains("consumer_events_duplicate_total{service=\"customer-test\",group=\"projector\",topic=\"iam.user.v1\"} 1"))
        try await running.stop()
        await producer.close()
        await cluster.shutdown()
    }

    /// A consumer that starts before anything was published to its topic (payment before order) creates
    /// the topic and so is assigned its partitions; what is published later is applied.
    @Test func aTopicThatDoesNotExistYetIsCreatedAndRead() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let calls = CallCounter()
        let runner = try EventConsumerRunner(database: database, bootstrap: [broker.bootstrap], configuration: configuration(),
                                             metrics: PrometheusCollectorRegistry(), logger: testLogger("consumer"),
                                             handler: projector(calls: calls))
        let running = RunningService { try await runner.run() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await waitUntil("the runner created its topic") {
            (try? await cluster.refreshMetadata(topics: [Topics.iamUser]))?.topics[Topics.iamUser]?.partitions.isEmpty == false
        }
        let producer = try BrokerProducer(cluster: cluster)
        _ = try await produce(producer, userId: "u-late", email: "late@example.com")
        try await waitUntil("the event published after the group formed is applied") { try await appliedCount(database, "u-late") == 1 }
        try await running.stop()
        await producer.close()
        await cluster.shutdown()
    }

    @Test func resumesFromTheOffsetsStoredInItsOwnDatabase() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic(Topics.iamUser, partitions: 1)
        let producer = try BrokerProducer(cluster: cluster)
        for index in 0..<3 { _ = try await produce(producer, userId: "u-\(index)", email: "\(index)@example.com") }

        let calls = CallCounter()
        let first = try EventConsumerRunner(database: database, bootstrap: [broker.bootstrap], configuration: configuration(),
                                            metrics: PrometheusCollectorRegistry(), logger: testLogger("consumer-1"),
                                            handler: projector(calls: calls))
        let firstRun = RunningService { try await first.run() }
        try await waitUntil("the first runner applied three events") { try await storedOffset(database) == 3 }
        try await firstRun.stop()

        // The broker's committed offsets go back to the start; the runner must not follow them.
        try await waitUntil("the group is empty") { try await admin.describeGroup(Self.group).members.isEmpty }
        try await admin.resetOffsets(group: Self.group, topic: Topics.iamUser, to: .earliest)
        for index in 3..<5 { _ = try await produce(producer, userId: "u-\(index)", email: "\(index)@example.com") }

        let registry = PrometheusCollectorRegistry()
        let second = try EventConsumerRunner(database: database, bootstrap: [broker.bootstrap], configuration: configuration(),
                                             metrics: registry, logger: testLogger("consumer-2"), handler: projector(calls: calls))
        let secondRun = RunningService { try await second.run() }
        try await waitUntil("the second runner applied the two new events") { try await storedOffset(database) == 5 }
        try await secondRun.stop()
        // It started at offset 3: it never saw the first three again, not even as duplicates.
        #expect(!registry.emitToString().contains("consumer_events_duplicate_total"))
        for index in 0..<5 { #expect(calls.count("\(index)@example.com") == 1) }
        await producer.close()
        await cluster.shutdown()
    }

    @Test func aFailingEventGoesToTheDeadLetterTopicAndIsRedrivenOnceFixed() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let database = try makeTestDatabase()
        defer { removeDatabase(database) }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        try await BrokerAdmin(cluster: cluster).createTopic(Topics.iamUser, partitions: 1)
        let producer = try BrokerProducer(cluster: cluster)
        let poisonId = try await produce(producer, userId: "u-bad", email: "poison@example.com")
        _ = try await produce(producer, userId: "u-good", email: "good@example.com")

        let calls = CallCounter()
        let poisoned = Flag(true)
        let registry = PrometheusCollectorRegistry()
        let runner = try EventConsumerRunner(database: database, bootstrap: [broker.bootstrap], configuration: configuration(),
                                             metrics: registry, logger: testLogger("consumer"),
                                             handler: projector(calls: calls, poisoned: poisoned))
        let running = RunningService { try await runner.run() }
        // It moves on past the failing record.
        try await waitUntil("the good event behind the poisoned one is applied") { try await appliedCount(database, "u-good") == 1 }
        #expect(calls.count("poison@example.com") == 3)
        #expect(try await appliedCount(database, "u-bad") == 0)

        let deadLetterTopic = Topics.deadLetter(of: Topics.iamUser, group: Self.group)
        #expect(deadLetterTopic == "iam.user.v1.projector.dlt")
        let parked = try await readTopic(deadLetterTopic, bootstrap: broker.bootstrap)
        #expect(parked.count == 1)
        let headers = parked.first?.headerMap ?? [:]
        #expect(headers["event-id"] == poisonId)
        #expect(headers["dlt-original-topic"] == Topics.iamUser)
        #expect(headers["dlt-original-partition"] == "0")
        #expect(headers["dlt-original-offset"] == "0")
        #expect(headers["dlt-attempts"] == "3")
        #expect(headers["dlt-error-type"]?.hasSuffix("ProjectionError") == true)
        #expect(headers["dlt-error-message"]?.contains("poison@example.com") == true)
        #expect(headers["dlt-first-failure-at"].flatMap(Timestamp.parse) != nil)
        #expect(registry.emitToString().contains("consumer_events_dead_lettered_total{service=\"customer-test\",group=\"projector\",topic=\"iam.user.v1\"} 1"))

        // Still broken: the redrive reports the failure and applies nothing.
        let failed = try await runner.redrive()
        #expect(failed.applied == 0)
        #expect(failed.failures.map(\.eventId) == [poisonId])

        // Fixed: the redrive applies it through the same path, once.
        poisoned.set(false)
        let report = try await runner.redrive()
        #expect(report.applied == 1)
        #expect(report.failures.isEmpty)
        #expect(try await appliedCount(database, "u-bad") == 1)
        let again = try await runner.redrive()
        #expect(again == RedriveReport())
        #expect(try await appliedCount(database, "u-bad") == 1)

        try await running.stop()
        await producer.close()
        await cluster.shutdown()
    }

    @Test func decodeChecksTheEventType() throws {
        let payload = try EventCoding.encoder().encode(UserRegistered(userId: "u", email: "e@example.com", roles: [], registeredAt: Date()))
        let event = try ReceivedEvent(topic: "t", partition: 0, offset: 0,
                                      headers: ["event-id": "id-1", "event-type": "UserRegistered", "aggregate-id": "u"],
                                      key: "u", payload: Array(payload))
        #expect(try event.decode(UserRegistered.self).userId == "u")
        #expect(throws: MessagingError.self) { try event.decode(UserRoleChanged.self) }
        #expect(throws: MessagingError.self) {
            try ReceivedEvent(topic: "t", partition: 0, offset: 0, headers: ["event-type": "UserRegistered"], key: nil, payload: [])
        }
    }
}

enum ProjectionError: Error { case poisoned(String) }
