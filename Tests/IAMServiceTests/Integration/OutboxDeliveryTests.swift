import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// UserRegistered reaches `iam.user.v1` exactly once, however the broker and the service fail.
@Suite(.serialized) struct OutboxDeliveryTests {
    static func expectExactlyOneUserRegistered(_ fixture: IAMProcessFixture, userId: String, email: String) async throws {
        try await fixture.eventually("UserRegistered for \(userId) on iam.user.v1") {
            try await !fixture.userEvents(userId).isEmpty
        }
        try await fixture.eventually("the outbox drained") { try await fixture.unpublishedOutboxRows() == 0 }
        let events = try await fixture.userEvents(userId).filter { $0.headers["event-type"] == UserRegistered.eventType }
        #expect(events.count == 1)
        let event = try #require(events.first)
        let payload = try EventCoding.decoder().decode(UserRegistered.self, from: event.value)
        #expect(payload.userId == userId && payload.email == email)
        #expect(event.headers["event-id"]?.isEmpty == false)
        #expect(event.headers["aggregate-id"] == userId)
    }

    @Test func brokerDownAtRegistrationThenBack() async throws {
        let fixture = try await IAMProcessFixture(brokerRunning: false)
        defer { fixture.stop() }
        let registered = try await fixture.register("henry@example.com")
        #expect(registered.status == 201)
        let userId = try #require(registered.data?["id"]?.stringValue)
        #expect(try await fixture.client.send(.GET, "/health/ready").status == 503)
        try await fixture.startBroker()
        try await Self.expectExactlyOneUserRegistered(fixture, userId: userId, email: "henry@example.com")
        #expect(try await fixture.client.send(.GET, "/health/ready").status == 200)
    }

    @Test func serviceKilledBetweenCommitAndPublish() async throws {
        // The broker is down, so the row is committed and cannot be published; then SIGKILL.
        let fixture = try await IAMProcessFixture(brokerRunning: false)
        defer { fixture.stop() }
        let registered = try await fixture.register("iris@example.com")
        let userId = try #require(registered.data?["id"]?.stringValue)
        try await fixture.crashAndRestartIAM()
        try await fixture.startBroker()
        try await Self.expectExactlyOneUserRegistered(fixture, userId: userId, email: "iris@example.com")
        // A second crash after publishing sends nothing again.
        try await fixture.crashAndRestartIAM()
        try await fixture.eventually("the outbox drained after restart") { try await fixture.unpublishedOutboxRows() == 0 }
        #expect(try await fixture.userEvents(userId).filter { $0.headers["event-type"] == UserRegistered.eventType }.count == 1)
    }

    /// SIGTERM while the relay keeps failing against a dead broker: the service stops within seconds
    /// (it once waited for the whole delivery timeout), and the row is delivered after the next start.
    @Test func stopsPromptlyWhileTheBrokerIsDown() async throws {
        let fixture = try await IAMProcessFixture(brokerRunning: false)
        defer { fixture.stop() }
        let registered = try await fixture.register("jack@example.com")
        let userId = try #require(registered.data?["id"]?.stringValue)
        #expect(await fixture.iam.terminate(within: .seconds(8)))
        try await fixture.startBroker()
        try await fixture.crashAndRestartIAM()
        try await Self.expectExactlyOneUserRegistered(fixture, userId: userId, email: "jack@example.com")
    }
}
