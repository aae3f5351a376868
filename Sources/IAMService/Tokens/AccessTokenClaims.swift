import Foundation
import JWTKit

/// The claims of an IAM access token. Users: `sub` = user id, `roles` from the account, `email`.
/// Service clients: `sub` = `client_id` = the client id, `roles: ["service"]`, `scope` from the client.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim
    public var jti: IDClaim
    public var roles: [String]
    /// Space-separated OAuth2 scopes, absent when none.
    public var scope: String?
    public var email: String?
    public var clientId: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, iat, nbf, jti, roles, scope, email
        case clientId = "client_id"
    }

    /// Allowed clock skew between IAM and verifiers.
    public static let leeway: TimeInterval = 60

    /// Signature-independent checks jwt-kit runs on every verify: expiry and not-before, with leeway,
    /// against the wall clock. Issuer and audience are checked by `IAMTokens.verifyAccessToken` and by
    /// the services' verifiers, which know the expected values.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-Self.leeway))
        try nbf.verifyNotBefore(currentDate: now.addingTimeInterval(Self.leeway))
    }

    public var scopes: [String] { scope?.split(separator: " ").map(String.init) ?? [] }
}
