import Foundation
import JWTKit
import ServiceKit
import ShopTestSupport

/// An ES256 key with a kid that signs access tokens the way IAM does, and publishes its JWKS.
struct TestSigner {
    let kid: String
    let key: ES256PrivateKey
    let keys: JWTKeyCollection

    init(kid: String) async {
        self.kid = kid
        key = ES256PrivateKey()
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
    }

    func token(subject: String = "user-1", roles: [String] = ["customer"], issuer: String = TestGateway.issuer,
               audience: String = TestGateway.audience, expiresIn: TimeInterval = 600) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(
            iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: [audience]), sub: SubjectClaim(value: subject),
            exp: ExpirationClaim(value: now.addingTimeInterval(expiresIn)),
            iat: IssuedAtClaim(value: now.addingTimeInterval(min(0, expiresIn - 600))), nbf: nil,
            jti: IDClaim(value: UUID().uuidString), roles: roles, scope: nil, email: "\(subject)@example.com", clientId: nil)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// `{"keys":[…]}` with this key's public half.
    func jwks() throws -> String {
        guard let parameters = key.parameters else { throw TestFailure("the test key has no public parameters") }
        return #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}]}"#
    }
}
