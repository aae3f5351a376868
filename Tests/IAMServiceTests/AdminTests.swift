import Contracts
import Foundation
import Testing

@testable import IAMService

@Suite struct AdminTests {
    @Test func roleChangeWritesUserRoleChanged() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let updated = try await fixture.accounts.changeRoles(id: user.id, to: [.customer, .admin], actorId: "admin-1")
        #expect(updated.roles == [.admin, .customer])
        #expect(updated.version == 2)
        let row = try #require(try await fixture.outbox().last)
        #expect(row.eventType == "UserRoleChanged" && row.topic == "iam.user.v1" && row.aggregateId == user.id)
        let event = try row.decode(UserRoleChanged.self)
        #expect(event.oldRoles == ["customer"] && event.newRoles == ["admin", "customer"] && event.changedBy == "admin-1")
    }

    @Test func enableDisableLockUnlockWriteStatusEvents() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        _ = try await fixture.accounts.setEnabled(id: user.id, false)
        _ = try await fixture.accounts.setEnabled(id: user.id, true)
        _ = try await fixture.accounts.setLocked(id: user.id, true)
        let lockedError = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery") }
        #expect(lockedError == .accountLocked(until: nil))
        _ = try await fixture.accounts.setLocked(id: user.id, false)
        // A no-op change writes nothing.
        _ = try await fixture.accounts.setLocked(id: user.id, false)
        let events = try await fixture.outbox().filter { $0.eventType == "UserAccountStatusChanged" }
            .map { try $0.decode(UserAccountStatusChanged.self) }
        #expect(events.map(\.reason) == ["disabled-by-admin", "enabled-by-admin", "locked-by-admin", "unlocked-by-admin"])
        #expect(events.map(\.enabled) == [false, true, true, true])
        #expect(events.map(\.locked) == [false, false, true, false])
        _ = try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery")
    }

    @Test func adminUnlockEndsAnAutomaticLockout() async throws {
        let fixture = try await IAMFixture.make { $0.lockoutThreshold = 2 }
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        for _ in 0..<2 { _ = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "wrong password!") } }
        #expect(try await fixture.accounts.user(id: user.id).isLocked(at: fixture.clock.now))
        let unlocked = try await fixture.accounts.setLocked(id: user.id, false)
        #expect(!unlocked.isLocked(at: fixture.clock.now))
        _ = try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery")
    }

    @Test func disablingRevokesTheUsersSessions() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let pair = try await fixture.tokens.issueTokens(for: user)
        _ = try await fixture.accounts.setEnabled(id: user.id, false)
        _ = try await fixture.accounts.setEnabled(id: user.id, true)
        #expect(await iamError { try await fixture.tokens.refresh(try #require(pair.refreshToken)) } == .invalidRefreshToken)
    }

    @Test func theLastActiveAdminCannotBeDemotedDisabledOrLocked() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        guard case .created(let admin, _) = try await fixture.accounts.seedAdmin(.init(production: false)) else {
            Issue.record("seeding did not create an admin")
            return
        }
        #expect(await iamError { try await fixture.accounts.changeRoles(id: admin.id, to: [.customer]) } == .lastAdmin)
        #expect(await iamError { try await fixture.accounts.setEnabled(id: admin.id, false) } == .lastAdmin)
        #expect(await iamError { try await fixture.accounts.setLocked(id: admin.id, true) } == .lastAdmin)
        let other = try await fixture.register("second@example.com")
        _ = try await fixture.accounts.changeRoles(id: other.id, to: [.admin])
        _ = try await fixture.accounts.setEnabled(id: admin.id, false)
    }

    @Test func versionConflictsAndUnknownUsersAndEmptyRoles() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        #expect(await iamError {
            try await fixture.accounts.updateUser(id: user.id, change: .init(enabled: false), expectedVersion: 7)
        } == .versionConflict(current: 1))
        #expect(await iamError { try await fixture.accounts.setEnabled(id: "no-such-id", false) } == .notFound("user"))
        guard case .validation = await iamError({ try await fixture.accounts.changeRoles(id: user.id, to: []) }) else {
            Issue.record("empty roles must be a validation error")
            return
        }
        let updated = try await fixture.accounts.updateUser(
            id: user.id, change: .init(roles: [.customer, .admin], enabled: false), expectedVersion: 1)
        #expect(updated.version == 2)
        #expect(try await fixture.outbox().map(\.eventType) == ["UserRegistered", "UserRoleChanged", "UserAccountStatusChanged"])
    }

    @Test func listingIsPagedInCreationOrder() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        var ids: [String] = []
        for index in 0..<5 {
            ids.append(try await fixture.register("user\(index)@example.com").id)
            fixture.clock.advance(by: 1)
        }
        let first = try await fixture.accounts.listUsers(page: 0, size: 2)
        let third = try await fixture.accounts.listUsers(page: 2, size: 2)
        let beyond = try await fixture.accounts.listUsers(page: 9, size: 2)
        #expect(first.users.map(\.id) == Array(ids[0..<2]))
        #expect(third.users.map(\.id) == [ids[4]])
        #expect(first.totalCount == 5 && first.totalPages == 3)
        #expect(beyond.users.isEmpty)
        #expect(try await fixture.accounts.listUsers(page: -1, size: 1000).size == 100)
    }
}
