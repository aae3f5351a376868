import Contracts
import Foundation
import Testing

@testable import CustomerService

/// One profile per user whichever comes first (token or `UserRegistered`), replacing names, versions.
@Suite struct ProfileTests {
    @Test func tokenFirstCreatesTheProfileAndTheEventFillsTheNames() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()

        let fromToken = try await fixture.customers.profile(of: user)
        #expect(fromToken.email == user.email && fromToken.firstName == nil && fromToken.version == 1)
        // A second read creates nothing.
        _ = try await fixture.customers.profile(of: user)

        try await fixture.apply(UserRegistered(userId: user.userId, email: user.email ?? "", roles: ["customer"], registeredAt: Date(),
                                               firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000"))
        let filled = try await fixture.customers.profile(of: user)
        #expect(filled.firstName == "Ada" && filled.lastName == "Lovelace" && filled.phoneNumber == "+44 20 7946 0000")
        #expect(filled.version == 2)
        #expect(try await fixture.profileCount(userId: user.userId) == 1)
        #expect(try await fixture.outbox(userId: user.userId).map(\.eventType) == ["CustomerProfileCreated", "CustomerProfileUpdated"])
    }

    @Test func eventFirstCreatesTheProfileWithNamesAndTheTokenAddsNothing() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        let registered = UserRegistered(userId: user.userId, email: user.email ?? "", roles: ["customer"], registeredAt: Date(),
                                        firstName: " Grace ", lastName: "Hopper")
        try await fixture.apply(registered)
        // The same fact again (another event id: a re-publication) changes nothing.
        try await fixture.apply(registered)

        let profile = try await fixture.customers.profile(of: user)
        #expect(profile.firstName == "Grace" && profile.lastName == "Hopper" && profile.phoneNumber == nil && profile.version == 1)
        let events = try await fixture.outbox(userId: user.userId)
        #expect(events.map(\.eventType) == ["CustomerProfileCreated"])
        let created = try #require(events.first).decode(CustomerProfileCreated.self)
        #expect(created.firstName == "Grace" && created.email == user.email && created.version == 1)
        #expect(events.first?.topic == Topics.customerCustomer)
    }

    @Test func namesTheUserChoseAreNotOverwrittenByALateRegistration() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        _ = try await fixture.customers.updateProfile(of: user, ProfileChange(firstName: "Augusta", lastName: "King",
                                                                             phoneNumber: nil, expectedVersion: nil))
        try await fixture.apply(UserRegistered(userId: user.userId, email: user.email ?? "", roles: ["customer"], registeredAt: Date(),
                                               firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 1"))
        let profile = try await fixture.customers.profile(of: user)
        #expect(profile.firstName == "Augusta" && profile.lastName == "King" && profile.phoneNumber == nil)
        #expect(try await fixture.profileCount(userId: user.userId) == 1)
    }

    @Test func anOldRegistrationPayloadWithoutNamesStillDecodesAndCreatesTheProfile() async throws {
        // Written by an IAM from before the names were added (same eventVersion 1).
        let old = #"{"email":"old@example.com","registeredAt":"2026-11-25T20:01:26.123Z","roles":["customer"],"userId":"0193a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"}"#
        let decoded = try EventCoding.decoder().decode(UserRegistered.self, from: Data(old.utf8))
        #expect(decoded.firstName == nil && decoded.lastName == nil && decoded.phoneNumber == nil)
        #expect(decoded.email == "old@example.com")

        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.apply(decoded)
        let profile = try await fixture.customers.customer(userId: decoded.userId)
        #expect(profile.email == "old@example.com" && profile.firstName == nil)
    }

    @Test func aProfileWithoutEmailTakesTheTokensOnce() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        try await fixture.apply(UserRegistered(userId: user.userId, email: " ", roles: ["customer"], registeredAt: Date(),
                                               firstName: "Ada", lastName: "Lovelace"))
        #expect(try await fixture.customers.customer(userId: user.userId).email == nil)
        let profile = try await fixture.customers.profile(of: user)
        #expect(profile.email == user.email && profile.firstName == "Ada" && profile.version == 2)
        _ = try await fixture.customers.profile(of: user)
        #expect(try await fixture.outbox(userId: user.userId).map(\.eventType) == ["CustomerProfileCreated", "CustomerProfileUpdated"])
    }

    @Test func replacingTheProfileMovesTheVersionAndAStaleVersionIsAConflict() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        fixture.clock.advance(by: 5)
        let updated = try await fixture.customers.updateProfile(of: user, ProfileChange(
            firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000", expectedVersion: 1))
        #expect(updated.version == 2 && updated.phoneNumber == "+44 20 7946 0000")

        let stale = await customerError {
            try await fixture.customers.updateProfile(of: user, ProfileChange(firstName: "X", lastName: "Y", phoneNumber: nil,
                                                                             expectedVersion: 1))
        }
        #expect(stale == .versionConflict(resource: "customer", current: 2))

        // The same values again: no new version, no event.
        let same = try await fixture.customers.updateProfile(of: user, ProfileChange(
            firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000", expectedVersion: nil))
        #expect(same.version == 2)
        // Leaving the phone number out clears it.
        let cleared = try await fixture.customers.updateProfile(of: user, ProfileChange(
            firstName: "Ada", lastName: "Lovelace", phoneNumber: nil, expectedVersion: 2))
        #expect(cleared.version == 3 && cleared.phoneNumber == nil)
        let events = try await fixture.outbox(userId: user.userId).map(\.eventType)
        #expect(events == ["CustomerProfileCreated", "CustomerProfileUpdated", "CustomerProfileUpdated"])
    }

    @Test func profileRulesReportEveryBadField() {
        let change = ProfileChange(firstName: "  ", lastName: String(repeating: "x", count: 101), phoneNumber: "call me",
                                   expectedVersion: 0)
        #expect(Set(change.problems.map(\.field)) == ["firstName", "lastName", "phoneNumber", "version"])
        #expect(ProfileChange(firstName: "Ada", lastName: "L", phoneNumber: "(020) 7946-0000", expectedVersion: nil).problems.isEmpty)
        #expect(ProfileChange(firstName: "Ada", lastName: "L", phoneNumber: String(repeating: "1", count: 33),
                              expectedVersion: nil).problems.map(\.field) == ["phoneNumber"])
    }

    @Test func aDisabledAccountCannotChangeItsProfileButCanReadIt() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        _ = try await fixture.customers.profile(of: user)
        // A lock (failed logins) stops new logins at IAM; it does not freeze the profile here.
        try await fixture.apply(UserAccountStatusChanged(userId: user.userId, enabled: true, locked: true, expired: false,
                                                         credentialsExpired: false, reason: "too-many-failed-logins"))
        #expect(try await fixture.customers.updateProfile(of: user, ProfileChange(
            firstName: "Locked", lastName: "Out", phoneNumber: nil, expectedVersion: nil)).version == 2)
        try await fixture.disable(user.userId)

        let refused = await customerError {
            try await fixture.customers.updateProfile(of: user, ProfileChange(firstName: "A", lastName: "B", phoneNumber: nil,
                                                                             expectedVersion: nil))
        }
        #expect(refused == .accountDisabled(userId: user.userId))
        #expect(try await fixture.customers.profile(of: user).firstName == "Locked")

        // Enabled again: changes work again.
        try await fixture.apply(UserAccountStatusChanged(userId: user.userId, enabled: true, locked: false, expired: false,
                                                         credentialsExpired: false, reason: "enabled-by-admin"))
        #expect(try await fixture.customers.updateProfile(of: user, ProfileChange(
            firstName: "A", lastName: "B", phoneNumber: nil, expectedVersion: nil)).firstName == "A")
    }
}
