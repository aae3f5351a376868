import Foundation
import ServiceKit
import JWTKit

/// Access and refresh tokens: issuance after a login, refresh with rotation and reuse detection, logout,
/// and verification of IAM's own access tokens.
public struct IAMTokens: Sendable {
    public let store: IAMStore
    public let signingKeys: SigningKeyRing
    public let hasher: PasswordHasher
    public let configuration: IAMConfiguration
    public let clock: ServiceClock

    public init(
        store: IAMStore, signingKeys: SigningKeyRing, hasher: PasswordHasher, configuration: IAMConfiguration,
        clock: ServiceClock = .system
    ) {
        self.store = store
        self.signingKeys = signingKeys
        self.hasher = hasher
        self.configuration = configuration
        self.clock = clock
    }

    /// After a successful login: an access token and the first refresh token of a new session (family).
    public func issueTokens(for user: UserAccount, scope: String? = nil) async throws -> TokenResponse {
        let now = clock.now()
        let refreshToken = OpaqueToken.generate()
        try await store.insertRefreshFamily(
            userId: user.id, tokenHash: OpaqueToken.hash(refreshToken), scope: scope, now: now,
            expiresAt: now.addingTimeInterval(configuration.refreshTokenTTL))
        return try await response(for: user, scope: scope, refreshToken: refreshToken, now: now)
    }

    /// Exchanges a refresh token for a new pair. The presented token is used up; presenting it again
    /// revokes every token of its session.
    /// - Throws: `.invalidRefreshToken` (unknown, expired, revoked), `.refreshTokenReused`, or the account's
    ///   state (`.accountDisabled`, `.accountLocked`, …).
    public func refresh(_ refreshToken: String) async throws -> TokenResponse {
        guard !refreshToken.isEmpty, refreshToken.utf8.count <= 256 else { throw IAMError.invalidRefreshToken }
        let now = clock.now()
        let next = OpaqueToken.generate()
        let outcome = try await store.exchangeRefreshToken(
            presentedHash: OpaqueToken.hash(refreshToken), newHash: OpaqueToken.hash(next), now: now,
            expiresAt: now.addingTimeInterval(configuration.refreshTokenTTL))
        switch outcome {
        case .rotated(let user, let scope):
            return try await response(for: user, scope: scope, refreshToken: next, now: now)
        case .unknown, .expired, .revoked:
            throw IAMError.invalidRefreshToken
        case .reused:
            throw IAMError.refreshTokenReused
        case .accountInactive(let problem):
            throw problem
        }
    }

    /// Ends the session the refresh token belongs to (its whole family). Returns false when the token is
    /// unknown; logout answers success either way (RFC 7009 style), so callers learn nothing from it.
    @discardableResult
    public func logout(refreshToken: String) async throws -> Bool {
        guard !refreshToken.isEmpty, refreshToken.utf8.count <= 256 else { return false }
        return try await store.revokeRefreshFamily(
            tokenHash: OpaqueToken.hash(refreshToken), now: clock.now(), reason: "logout")
    }

    /// Verifies one of IAM's access tokens: signature by a published key, issuer, audience, and expiry and
    /// not-before against IAM's clock (with `AccessTokenClaims.leeway`).
    public func verifyAccessToken(_ token: String) async throws -> AccessTokenClaims {
        let claims: AccessTokenClaims
        do {
            claims = try await signingKeys.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError {
            throw IAMError.invalidAccessToken(reason: error.reason ?? "\(error.errorType)")
        } catch let error as IAMError {
            throw error  // e.g. the key ring could not load
        } catch {
            throw IAMError.invalidAccessToken(reason: "malformed")
        }
        let now = clock.now()
        guard claims.iss.value == configuration.issuer else { throw IAMError.invalidAccessToken(reason: "issuer") }
        guard claims.aud.value.contains(configuration.audience) else {
            throw IAMError.invalidAccessToken(reason: "audience")
        }
        guard claims.exp.value.addingTimeInterval(AccessTokenClaims.leeway) > now else {
            throw IAMError.invalidAccessToken(reason: "expired")
        }
        guard (claims.nbf?.value ?? claims.iat.value).addingTimeInterval(-AccessTokenClaims.leeway) <= now else {
            throw IAMError.invalidAccessToken(reason: "not yet valid")
        }
        return claims
    }

    // MARK: - Internals

    func response(for user: UserAccount, scope: String?, refreshToken: String?, now: Date) async throws -> TokenResponse {
        let claims = makeClaims(subject: user.id, roles: Role.names(user.roles), scope: scope, email: user.email,
                                clientId: nil, now: now)
        return TokenResponse(
            accessToken: try await signingKeys.sign(claims), tokenType: "Bearer",
            expiresIn: Int(configuration.accessTokenTTL), refreshToken: refreshToken, scope: scope)
    }

    func makeClaims(
        subject: String, roles: [String], scope: String?, email: String?, clientId: String?, now: Date
    ) -> AccessTokenClaims {
        // Whole seconds: JWT dates are NumericDate seconds.
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return AccessTokenClaims(
            iss: IssuerClaim(value: configuration.issuer), aud: AudienceClaim(value: [configuration.audience]),
            sub: SubjectClaim(value: subject), exp: ExpirationClaim(value: issued.addingTimeInterval(configuration.accessTokenTTL)),
            iat: IssuedAtClaim(value: issued), nbf: NotBeforeClaim(value: issued),
            jti: IDClaim(value: UUID().uuidString.lowercased()), roles: roles,
            scope: (scope?.isEmpty ?? true) ? nil : scope, email: email, clientId: clientId)
    }
}
