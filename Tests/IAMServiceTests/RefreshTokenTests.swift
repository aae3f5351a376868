import Foundation
import GRDB
import Testing

@testable import IAMService

@Suite struct RefreshTokenTests {
    @Test func refreshRotatesTheTokenAndStoresOnlyItsHash() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let first = try await fixture.tokens.issueTokens(for: user)
        let firstRefresh = try #require(first.refreshToken)
        #expect(firstRefresh.count == 43)  // 256 bits, base64url

        let second = try await fixture.tokens.refresh(firstRefresh)
        let secondRefresh = try #require(second.refreshToken)
        #expect(secondRefresh != firstRefresh)
        #expect(try await fixture.tokens.verifyAccessToken(second.accessToken).sub.value == user.id)
        let third = try await fixture.tokens.refresh(secondRefresh)
        #expect(third.refreshToken != nil)

        let stored = try await fixture.database.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM refresh_token") }
        #expect(stored.count == 3)
        #expect(!stored.contains(firstRefresh) && stored.contains(OpaqueToken.hash(firstRefresh)))
        let families = try await fixture.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refresh_token_family") }
        #expect(families == 1)
    }

    @Test func reuseOfARotatedTokenRevokesTheWholeFamily() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let stolen = try #require(try await fixture.tokens.issueTokens(for: user).refreshToken)
        let legitimate = try #require(try await fixture.tokens.refresh(stolen).refreshToken)
        // Another session of the same user is untouched.
        let otherSession = try #require(try await fixture.tokens.issueTokens(for: user).refreshToken)

        #expect(await iamError { try await fixture.tokens.refresh(stolen) } == .refreshTokenReused)
        // The reuse revoked the family: the newest token of that session is dead too.
        #expect(await iamError { try await fixture.tokens.refresh(legitimate) } == .invalidRefreshToken)
        #expect(try await fixture.core.store.isRefreshFamilyRevoked(tokenHash: OpaqueToken.hash(legitimate)) == true)
        _ = try await fixture.tokens.refresh(otherSession)
    }

    @Test func logoutRevokesTheFamily() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let first = try #require(try await fixture.tokens.issueTokens(for: user).refreshToken)
        let second = try #require(try await fixture.tokens.refresh(first).refreshToken)
        #expect(try await fixture.tokens.logout(refreshToken: first))  // any token of the family ends it
        #expect(await iamError { try await fixture.tokens.refresh(second) } == .invalidRefreshToken)
        #expect(try await !fixture.tokens.logout(refreshToken: "unknown-token"))
        #expect(try await !fixture.tokens.logout(refreshToken: ""))
    }

    @Test func expiredAndUnknownTokensAreInvalid() async throws {
        let fixture = try await IAMFixture.make { $0.refreshTokenTTL = 3600 }
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let token = try #require(try await fixture.tokens.issueTokens(for: user).refreshToken)
        #expect(await iamError { try await fixture.tokens.refresh("nonsense") } == .invalidRefreshToken)
        #expect(await iamError { try await fixture.tokens.refresh("") } == .invalidRefreshToken)
        fixture.clock.advance(by: 3599)  // SQLite keeps milliseconds (rounded), so stay clear of the edge
        _ = try await fixture.tokens.refresh(try #require(try await fixture.tokens.issueTokens(for: user).refreshToken))
        fixture.clock.advance(by: 2)
        let expired = await iamError { try await fixture.tokens.refresh(token) }
        #expect(expired == .invalidRefreshToken)
        #expect(try await fixture.core.store.pruneRefreshTokens(expiredBefore: fixture.clock.now) == 1)
    }

    @Test func refreshPicksUpRoleChangesAndRefusesLockedAccounts() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        _ = try await fixture.accounts.seedAdmin(.init(production: false))  // so Ada is not the last admin
        let user = try await fixture.register("ada@example.com")
        let token = try #require(try await fixture.tokens.issueTokens(for: user).refreshToken)
        _ = try await fixture.accounts.changeRoles(id: user.id, to: [.customer, .admin])
        let next = try await fixture.tokens.refresh(token)
        #expect(try await fixture.tokens.verifyAccessToken(next.accessToken).roles == ["admin", "customer"])
        _ = try await fixture.accounts.setLocked(id: user.id, true)
        #expect(await iamError { try await fixture.tokens.refresh(try #require(next.refreshToken)) } == .invalidRefreshToken)
    }
}
