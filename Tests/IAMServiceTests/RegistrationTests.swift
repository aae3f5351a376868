import Contracts
import Foundation
import GRDB
import Testing

@testable import IAMService

@Suite struct RegistrationTests {
    @Test func registerStoresACustomerWithCaseFoldedEmailAndHashedPassword() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("  Ada.Lovelace@Example.COM ")
        #expect(user.email == "ada.lovelace@example.com")
        #expect(user.roles == [.customer])
        #expect(user.enabled && user.accountNonLocked && user.accountNonExpired && user.credentialsNonExpired)
        #expect(user.version == 1)
        let stored = try #require(try await fixture.core.store.user(id: user.id))
        #expect(stored.email == "ada.lovelace@example.com")
        #expect(stored.passwordHash.hasPrefix("$argon2id$"))
        #expect(stored.phoneNumber == "+44 20 7946 0000")
    }

    @Test func duplicateEmailIsRejectedCaseInsensitively() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.register("ada@example.com")
        let error = await iamError { try await fixture.register("ADA@Example.com") }
        #expect(error == .emailTaken)
        // Exactly one account and one event.
        #expect(try await fixture.accounts.listUsers().totalCount == 1)
        #expect(try await fixture.outbox().count == 1)
    }

    @Test func registrationWritesUserRegisteredToTheOutboxInTheSameTransaction() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.accounts.register(
            Registration(email: "Grace@Example.com", password: "correct horse battery", firstName: "Grace",
                         lastName: "Hopper"),
            metadata: .init(correlationId: "req-1"))
        let rows = try await fixture.outbox()
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row.topic == "iam.user.v1")
        #expect(row.eventType == "UserRegistered")
        #expect(row.aggregateId == user.id)
        #expect(row.json["userId"] as? String == user.id)
        #expect(row.json["email"] as? String == "grace@example.com")
        let event = try row.decode(UserRegistered.self)
        #expect(event.roles == ["customer"])
        #expect(row.metadataHeaders.contains("req-1"))
        // Same transaction: the user row and the outbox row share a commit; nothing is visible without the other.
        let counts = try await fixture.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app_user") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE aggregate_id = ?", arguments: [user.id]) ?? -1)
        }
        #expect(counts == (1, 1))
    }

    @Test func aFailingOutboxWriteRollsBackTheRegistration() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        // Make the outbox insert fail inside the registration's transaction.
        try await fixture.database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER outbox_fail BEFORE INSERT ON outbox
                BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END
                """)
        }
        await #expect(throws: (any Error).self) { try await fixture.register("ada@example.com") }
        #expect(try await fixture.accounts.listUsers().totalCount == 0)
    }

    @Test func validationReportsEveryBadField() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let error = await iamError {
            try await fixture.accounts.register(
                Registration(email: "not-an-email", password: "short", firstName: " ", lastName: "Ok",
                             phoneNumber: "call me"))
        }
        guard case .validation(let fields) = error else {
            Issue.record("expected validation, got \(String(describing: error))")
            return
        }
        #expect(Set(fields.map(\.field)) == ["email", "password", "firstName", "phoneNumber"])
        #expect(try await fixture.outbox().isEmpty)
    }

    @Test(arguments: ["plainaddress", "a@b", "@example.com", "a@@example.com", "a b@example.com", "a@-x.com", "a@x..com"])
    func badEmailsAreRejected(_ email: String) {
        #expect(!EmailAddress.problems(with: EmailAddress.normalize(email)).isEmpty)
    }

    @Test(arguments: ["a@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie"])
    func goodEmailsAreAccepted(_ email: String) {
        #expect(EmailAddress.problems(with: email).isEmpty)
    }
}
