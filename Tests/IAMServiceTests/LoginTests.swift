import Contracts
import Foundation
import Testing

@testable import IAMService

@Suite struct LoginTests {
    @Test func loginSucceedsWithTheRightPasswordAndAnyEmailCase() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let loggedIn = try await fixture.accounts.login(email: "ADA@example.com", password: "correct horse battery")
        #expect(loggedIn.id == user.id)
        #expect(loggedIn.lastLoginAt != nil)
    }

    @Test func wrongPasswordAndUnknownEmailGiveTheSameError() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.register("ada@example.com")
        let wrongPassword = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "wrong password!") }
        let unknownEmail = await iamError { try await fixture.accounts.login(email: "nobody@example.com", password: "wrong password!") }
        let empty = await iamError { try await fixture.accounts.login(email: "", password: "") }
        #expect(wrongPassword == .invalidCredentials)
        #expect(unknownEmail == wrongPassword)
        #expect(empty == wrongPassword)
        #expect(String(describing: try #require(unknownEmail)) == String(describing: try #require(wrongPassword)))
    }

    @Test func lockoutAfterNFailuresThenUnlockAfterTheDuration() async throws {
        let fixture = try await IAMFixture.make { config in
            config.lockoutThreshold = 3
            config.lockoutDuration = 600
        }
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        for _ in 0..<3 {
            let error = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "wrong password!") }
            #expect(error == .invalidCredentials)
        }
        // Locked: the right password now gets the distinct error, with the end of the lockout.
        let lockedError = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery") }
        let until = fixture.clock.now.addingTimeInterval(600)
        guard case .accountLocked(let reportedUntil?) = lockedError else {
            Issue.record("expected accountLocked, got \(String(describing: lockedError))")
            return
        }
        #expect(abs(reportedUntil.timeIntervalSince(until)) < 1)
        // A wrong password during the lockout still says only "invalid credentials" (no enumeration).
        let wrongWhileLocked = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "wrong password!") }
        #expect(wrongWhileLocked == .invalidCredentials)

        var events = try await fixture.outbox().filter { $0.eventType == "UserAccountStatusChanged" }
        #expect(events.count == 1)
        let locked = try events[0].decode(UserAccountStatusChanged.self)
        #expect(locked.userId == user.id && locked.locked && locked.reason == "too-many-failed-logins")
        #expect(events[0].aggregateId == user.id)

        fixture.clock.advance(by: 599)
        #expect(await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery") } != nil)
        fixture.clock.advance(by: 2)
        let after = try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery")
        #expect(after.failedLoginCount == 0 && after.lockedUntil == nil && !after.isLocked(at: fixture.clock.now))
        events = try await fixture.outbox().filter { $0.eventType == "UserAccountStatusChanged" }
        #expect(events.count == 2)
        let unlocked = try events[1].decode(UserAccountStatusChanged.self)
        #expect(!unlocked.locked && unlocked.reason == "lockout-expired")
    }

    @Test func aSuccessfulLoginResetsTheFailureCounter() async throws {
        let fixture = try await IAMFixture.make { $0.lockoutThreshold = 3 }
        defer { fixture.removeFiles() }
        try await fixture.register("ada@example.com")
        for _ in 0..<2 { _ = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "nope nope nope") } }
        _ = try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery")
        for _ in 0..<2 { _ = await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "nope nope nope") } }
        let user = try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery")
        #expect(!user.isLocked(at: fixture.clock.now))
    }

    @Test func disabledAccountIsReportedOnlyAfterTheRightPassword() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        _ = try await fixture.accounts.setEnabled(id: user.id, false)
        #expect(await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "wrong password!") } == .invalidCredentials)
        #expect(await iamError { try await fixture.accounts.login(email: "ada@example.com", password: "correct horse battery") } == .accountDisabled)
    }

    @Test func loginRehashesWhenParametersChanged() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        var configuration = fixture.core.configuration
        configuration.passwordHashing = .init(memoryKiB: 128, iterations: 1, parallelism: 1)
        let hasher = PasswordHasher(parameters: configuration.passwordHashing)
        let accounts = IAMAccounts(store: fixture.core.store, hasher: hasher, configuration: configuration,
                                   clock: fixture.clock.serviceClock)
        _ = try await accounts.login(email: "ada@example.com", password: "correct horse battery")
        let stored = try #require(try await fixture.core.store.user(id: user.id))
        #expect(stored.passwordHash.contains("m=128,t=1,p=1"))
        _ = try await accounts.login(email: "ada@example.com", password: "correct horse battery")
    }
}
