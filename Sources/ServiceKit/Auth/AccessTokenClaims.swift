import Foundation
import JWTKit

/// The claims of the shop's access tokens (RFC 9068 shape): issued by IAM, checked by every service and
/// the gateway. `scope` is space-separated as in OAuth2.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    public var roles: [String]
    public var scope: String
    public var email: String?
    /// `client_id` of the OAuth2 client the token was issued to.
    public var clientId: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, exp, iat, jti, roles, scope, email
        case clientId = "client_id"
    }

    public init(issuer: String, audience: String, subject: String, issuedAt: Date, expiresAt: Date, id: String,
                roles: [String], scope: String, email: String?, clientId: String?) {
        iss = IssuerClaim(value: issuer)
        aud = AudienceClaim(value: [audience])
        sub = SubjectClaim(value: subject)
        exp = ExpirationClaim(value: expiresAt)
        iat = IssuedAtClaim(value: issuedAt)
        jti = IDClaim(value: id)
        self.roles = roles
        self.scope = scope
        self.email = email
        self.clientId = clientId
    }

    /// The signature is checked by jwt-kit; issuer, audience and time are checked by `JWTVerifier`
    /// against its configuration, with leeway.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public var principal: Principal {
        Principal(subject: sub.value, roles: Set(roles), scopes: Set(scope.split(separator: " ").map(String.init)), email: email)
    }
}
