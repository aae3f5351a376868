import Foundation
import Hummingbird
import JWTKit
import NIOCore
import ServiceKit

/// Signs access tokens the way IAM does (ES256, a kid) and serves its JWKS on loopback, so a domain
/// service can run in process and verify real tokens without an IAM. Point the service at it with
/// `environment` (`JWKS_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`); `stop()` when done.
public final class TestTokenIssuer: Sendable {
    public static let issuer = "http://iam.test"
    public static let audience = "shop"

    public let kid: String
    private let keys: JWTKeyCollection
    private let server: LiveServer

    /// The settings a service needs to trust this issuer's tokens.
    public var environment: [String: String] {
        ["JWKS_URL": server.baseURL + "/.well-known/jwks.json", "JWT_ISSUER": Self.issuer, "JWT_AUDIENCE": Self.audience]
    }

    public static func start(kid: String = "test-key-1") async throws -> TestTokenIssuer {
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        guard let parameters = key.parameters else { throw TestFailure("the test key has no public parameters") }
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}]}"#
        let server = try await LiveServer("jwks") { onRunning in
            let router = Router()
            router.get("/.well-known/jwks.json") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                               onServerRunning: onRunning)
        }
        return TestTokenIssuer(kid: kid, keys: keys, server: server)
    }

    private init(kid: String, keys: JWTKeyCollection, server: LiveServer) {
        self.kid = kid
        self.keys = keys
        self.server = server
    }

    /// A user's access token (`roles` `customer` by default; `["admin"]` for an administrator).
    public func userToken(subject: String = UUID().uuidString.lowercased(), roles: [String] = ["customer"],
                          email: String? = nil, expiresIn: TimeInterval = 600) async throws -> String {
        try await sign(subject: subject, roles: roles, scope: nil, email: email ?? "\(subject)@example.com",
                       clientId: nil, expiresIn: expiresIn)
    }

    /// A client-credentials token of a service client with these scopes (space-separated, as IAM issues).
    public func serviceToken(clientId: String, scopes: [String], expiresIn: TimeInterval = 600) async throws -> String {
        try await sign(subject: clientId, roles: ["service"], scope: scopes.joined(separator: " "), email: nil,
                       clientId: clientId, expiresIn: expiresIn)
    }

    private func sign(subject: String, roles: [String], scope: String?, email: String?, clientId: String?,
                      expiresIn: TimeInterval) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(
            iss: IssuerClaim(value: Self.issuer), aud: AudienceClaim(value: [Self.audience]), sub: SubjectClaim(value: subject),
            exp: ExpirationClaim(value: now.addingTimeInterval(expiresIn)),
            iat: IssuedAtClaim(value: now.addingTimeInterval(min(0, expiresIn - 600))), nbf: nil,
            jti: IDClaim(value: UUID().uuidString), roles: roles, scope: scope, email: email, clientId: clientId)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    public func stop() async {
        await server.stop()
    }
}
