import Foundation
import JWTKit

/// The claims of the shop's access tokens (RFC 9068 shape): signed by IAM, checked by every service and
/// the gateway, one type for both sides so they cannot drift. Users: `sub` = user id, roles, email.
/// Service clients: `sub` = `client_id`, `roles: ["service"]`, `scope` from the client.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    /// Optional on input: tokens of other issuers may omit it.
    public var nbf: NotBeforeClaim?
    public var jti: IDClaim
    public var roles: [String]
    /// Space-separated OAuth2 scopes, absent when none.
    public var scope: String?
    public var email: String?
    /// `client_id` of the OAuth2 client the token was issued to.
    public var clientId: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, iat, nbf, jti, roles, scope, email
        case clientId = "client_id"
    }

    /// Allowed clock skew between the signer and verifiers.
    public static let leeway: TimeInterval = 60

    public init(iss: IssuerClaim, aud: AudienceClaim, sub: SubjectClaim, exp: ExpirationClaim, iat: IssuedAtClaim,
                nbf: NotBeforeClaim?, jti: IDClaim, roles: [String], scope: String?, email: String?, clientId: String?) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
        self.roles = roles
        self.scope = scope
        self.email = email
        self.clientId = clientId
    }

    /// Signature-independent checks jwt-kit runs on every verify: expiry and not-before against the wall
    /// clock, with leeway. Issuer and audience are checked by the verifiers, which know the expected values.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-Self.leeway))
        try nbf?.verifyNotBefore(currentDate: now.addingTimeInterval(Self.leeway))
    }

    public var scopes: [String] { scope?.split(separator: " ").map(String.init) ?? [] }

    public var principal: Principal {
        Principal(subject: sub.value, roles: Set(roles), scopes: Set(scopes), email: email)
    }
}
