import BrokerClient
import Contracts
import Foundation
import GRDB
import KafkaWire
import Logging
import Prometheus
@testable import ServiceKit
import ServiceLifecycle
import ShopTestSupport
import Testing

/// IAM's outbox relay and a ServiceKit consumer runner on a three-broker cluster not written here
/// (librdkafka's mock cluster), while partition leaders and the group coordinator move and the brokers
/// answer NOT_LEADER_OR_FOLLOWER and NOT_COORDINATOR: every event is published once and applied once.
@Suite(.serialized) struct ClusterMessagingTests {
    static let group = "projector-cluster"

    @Test func outboxRelayAndConsumerRunnerDeliverAndApplyExactlyOnceAcrossLeaderMoves() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        try mock.createTopic(Topics.iamUser, partitions: 3)
        for p in Int32(0)..<3 { try mock.setLeader(topic: Topics.iamUser, partition: p, broker: p + 1) }
        try mock.setCoordinator(group: Self.group, broker: 1)
        let bootstrap = [mock.bootstrap]

        // The IAM side: its outbox and relay.
        let outboxDatabase = try makeTestDatabase()
        defer { removeDatabase(outboxDatabase) }
        var relayConfiguration = OutboxRelayConfiguration(serviceName: "iam-cluster-test")
        relayConfiguration.pollInterval = .milliseconds(200)
        relayConfiguration.backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        relayConfiguration.deliveryTimeout = .seconds(20)
        let relay = try OutboxRelay(database: outboxDatabase, bootstrap: bootstrap, configuration: relayConfiguration,
                                    metrics: PrometheusCollectorRegistry(), logger: testLogger("relay"))

        // The consuming side: a projection applied through the runner.
        let projectionDatabase = try makeTestDatabase()
        defer { removeDatabase(projectionDatabase) }
        var consumerConfiguration = EventConsumerConfiguration(serviceName: "customer-cluster-test", groupId: Self.group,
                                                               topics: [Topics.iamUser])
        consumerConfiguration.brokerBackoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        consumerConfiguration.pollTimeout = .milliseconds(200)
        consumerConfiguration.deliveryTimeout = .seconds(20)
        consumerConfiguration.consumer.sessionTimeout = .seconds(6)
        consumerConfiguration.consumer.rebalanceTimeout = .seconds(10)
        consumerConfiguration.consumer.heartbeatInterval = .milliseconds(300)
        consumerConfiguration.consumer.fetchMaxWait = .milliseconds(100)
        let runner = try EventConsumerRunner(database: projectionDatabase, bootstrap: bootstrap, configuration: consumerConfiguration,
                                             metrics: PrometheusCollectorRegistry(), logger: testLogger("runner")) { event, db in
            let user = try event.decode(UserRegistered.self)
            try db.execute(sql: """
                INSERT INTO user_projection (user_id, email, applied_count) VALUES (?, ?, 1)
                ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, applied_count = applied_count + 1
                """, arguments: [user.userId, user.email])
        }
        let services = ServiceGroup(configuration: .init(services: [relay, runner], logger: testLogger("group")))
        let running = Task { try await services.run() }

        func register(_ range: Range<Int>) async throws {
            for n in range {
                _ = try await outboxDatabase.write { db in
                    try Outbox.enqueue(UserRegistered(userId: "u-\(n)", email: "u\(n)@example.com", roles: ["customer"], registeredAt: Date()),
                                       metadata: EventMetadata(), in: db)
                }
            }
        }
        func applied() async throws -> Int {
            try await projectionDatabase.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user_projection") ?? 0 }
        }

        try await register(0..<30)
        try await eventually("the first 30 events applied", timeout: .seconds(60)) { try await applied() == 30 }

        // Leaders move under both clients, and the coordinator moves under the runner.
        for p in Int32(0)..<3 { try mock.setLeader(topic: Topics.iamUser, partition: p, broker: (p + 1) % 3 + 1) }
        try mock.setCoordinator(group: Self.group, broker: 2)
        try mock.pushErrors(apiKey: ApiKey.produce.rawValue, [6, 6])
        try mock.pushErrors(apiKey: ApiKey.fetch.rawValue, [6])
        try mock.pushErrors(apiKey: ApiKey.offsetCommit.rawValue, [16, 14])
        try await register(30..<60)
        try await eventually("60 events applied", timeout: .seconds(60)) { try await applied() == 60 }

        for p in Int32(0)..<3 { try mock.setLeader(topic: Topics.iamUser, partition: p, broker: (p + 2) % 3 + 1) }
        try mock.setCoordinator(group: Self.group, broker: 3)
        try await register(60..<90)
        try await eventually("90 events applied", timeout: .seconds(60)) { try await applied() == 90 }
        try await eventually("every outbox row marked published", timeout: .seconds(60)) { try await unpublishedCount(outboxDatabase) == 0 }

        await services.triggerGracefulShutdown()
        try await running.value

        let counts = try await projectionDatabase.read { db in
            try Int.fetchAll(db, sql: "SELECT applied_count FROM user_projection")
        }
        #expect(counts.count == 90)
        #expect(counts.allSatisfy { $0 == 1 }, "an event applied twice")
        let records = try await readTopic(Topics.iamUser, bootstrap: mock.bootstrap)
        let eventIds = records.compactMap { $0.headerMap["event-id"] }
        #expect(records.count == 90, "published \(records.count) records for 90 events")
        #expect(Set(eventIds).count == 90)
    }
}
