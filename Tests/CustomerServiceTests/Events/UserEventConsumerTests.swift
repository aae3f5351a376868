import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CustomerService

/// `iam.user.v1` through a real broker into the running service: profiles from `UserRegistered`, each
/// event applied once across redelivery and a restart, and `CustomerProfileCreated` published once.
@Suite(.serialized) struct UserEventConsumerTests {
    @Test func aRegisteredUserGetsExactlyOneProfileAcrossRedeliveryAndRestart() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "iam")
        let issuer = try await TestTokenIssuer.start()
        let directory = NSTemporaryDirectory() + "customer-consumer-" + UUID().uuidString.lowercased()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "OUTBOX_POLL_INTERVAL_MS": "100",
                           "CUSTOMER_EVENT_MAX_ATTEMPTS": "2"]

        // A record no retry can apply comes first: it is dead-lettered and the consumer moves on.
        let poison = try await publisher.publish(UnreadableUserRegistered(userId: 42))

        let ada = UUID().uuidString.lowercased()
        let registered = UserRegistered(userId: ada, email: "ada@example.com", roles: ["customer"], registeredAt: Date(),
                                        firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000")
        let eventId = try await publisher.publish(registered)
        try await publisher.publish(registered, eventId: eventId)  // a redelivery: same event id
        var published = 3

        let grace = UUID().uuidString.lowercased()
        try await CustomerHTTPFixture.with(environment: environment, dataDirectory: directory, issuer: issuer, messaging: true) { fixture in
            try await eventually("both deliveries of Ada's UserRegistered consumed", timeout: .seconds(90)) {
                try await fixture.consumedRecords(topic: Topics.iamUser) >= 3
            }
            let token = try await fixture.issuer.userToken(subject: ada, email: "ada@example.com")
            let profile = try await fixture.client.get("/customers/me", bearer: token)
            #expect(profile.data?["firstName"]?.stringValue == "Ada" && profile.data?["lastName"]?.stringValue == "Lovelace")
            #expect(profile.data?["phoneNumber"]?.stringValue == "+44 20 7946 0000" && profile.data?["version"]?.intValue == 1)

            // Token first, then the event: still one profile, the names filled in.
            let graceToken = try await fixture.issuer.userToken(subject: grace, email: "grace@example.com")
            #expect(try await fixture.client.get("/customers/me", bearer: graceToken).data?["firstName"] == .null)
            try await publisher.publish(UserRegistered(userId: grace, email: "grace@example.com", roles: ["customer"],
                                                       registeredAt: Date(), firstName: "Grace", lastName: "Hopper"))
            try await eventually("Grace's names filled from the event", timeout: .seconds(60)) {
                try await fixture.client.get("/customers/me", bearer: graceToken).data?["firstName"]?.stringValue == "Grace"
            }
            #expect(try await fixture.profileCount(userId: grace) == 1)
        }
        published += 1

        // Delivered once more while the service is down, then a restart on the same data.
        try await publisher.publish(registered, eventId: eventId)
        published += 1
        let expected = published
        try await CustomerHTTPFixture.with(environment: environment, dataDirectory: directory, issuer: issuer, messaging: true) { fixture in
            try await eventually("every iam.user.v1 record consumed after the restart", timeout: .seconds(90)) {
                try await fixture.consumedRecords(topic: Topics.iamUser) >= expected
            }
            #expect(try await fixture.profileCount(userId: ada) == 1)
            #expect(try await fixture.outboxEventTypes(userId: ada) == ["CustomerProfileCreated"])
            #expect(try await fixture.outboxEventTypes(userId: grace) == ["CustomerProfileCreated", "CustomerProfileUpdated"])
            try await eventually("the outbox drained to the broker", timeout: .seconds(60)) {
                try await fixture.unpublishedOutboxRows() == 0
            }
        }

        let stream = try await TopicReader.readAll(topic: Topics.customerCustomer, bootstrap: broker.bootstrap)
        let adaEvents = stream.filter { $0.key == ada }
        #expect(adaEvents.map { $0.headers[EnvelopeHeader.eventType] } == ["CustomerProfileCreated"])
        let created = try EventCoding.decoder().decode(CustomerProfileCreated.self, from: try #require(adaEvents.first).value)
        #expect(created.firstName == "Ada" && created.email == "ada@example.com")
        #expect(adaEvents.first?.headers[EnvelopeHeader.causationId] == eventId)
        #expect(stream.filter { $0.key == grace }.count == 2)

        let deadLetters = try await TopicReader.readAll(topic: Topics.deadLetter(of: Topics.iamUser, group: "customer"),
                                                        bootstrap: broker.bootstrap)
        #expect(deadLetters.map { $0.headers[EnvelopeHeader.eventId] } == [poison])

        await publisher.close()
        await issuer.stop()
    }
}

/// A `UserRegistered` whose payload no customer service can read (a number where the user id belongs).
private struct UnreadableUserRegistered: DomainEvent {
    static let eventType = UserRegistered.eventType
    static let eventVersion = 1
    static let aggregateType = "user"
    static let topic = Topics.iamUser

    var userId: Int
    var aggregateId: String { String(userId) }
}
