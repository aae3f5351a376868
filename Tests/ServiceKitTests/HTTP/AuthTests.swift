import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
@testable import ServiceKit
import Synchronization
import Testing

@Suite struct AuthTests {
    /// A signer with its JWKS, standing in for IAM.
    struct Signer {
        let key = ES256PrivateKey()
        let kid: String
        let keys = JWTKeyCollection()

        init(kid: String) async {
            self.kid = kid
            await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        }

        var jwk: String {
            let parameters = key.publicKey.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        }

        func token(subject: String = "u1", roles: [String] = ["customer"], issuer: String = "iam", audience: String = "shop",
                   issuedAt: Date = Date(), lifetime: TimeInterval = 300) async throws -> String {
            let claims = AccessTokenClaims(iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: [audience]), sub: SubjectClaim(value: subject),
                                           exp: ExpirationClaim(value: issuedAt.addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: issuedAt),
                                           nbf: nil, jti: IDClaim(value: UUID().uuidString), roles: roles, scope: "orders:read", email: nil, clientId: nil)
            return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    final class Fetches: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func verifiesSignatureIssuerAudienceAndExpiry() async throws {
        let signer = await Signer(kid: "k1")
        let stranger = await Signer(kid: "k1")
        let jwks = #"{"keys":[\#(signer.jwk)]}"#
        let verifier = JWTVerifier(source: JWKSSource(description: "test") { jwks }, issuer: "iam", audience: "shop", leeway: 30)
        let principal = try await verifier.verify(try await signer.token(roles: ["admin"]))
        #expect(principal.subject == "u1" && principal.isAdmin && principal.scopes == ["orders:read"])
        // Same kid, other key: bad signature.
        await #expect(throws: APIError.self) { try await verifier.verify(try await stranger.token()) }
        await #expect(throws: APIError.self) { try await verifier.verify(try await signer.token(issuer: "evil")) }
        await #expect(throws: APIError.self) { try await verifier.verify(try await signer.token(audience: "other")) }
        // Expired beyond the leeway is refused; within it, accepted.
        await #expect(throws: APIError.self) {
            try await verifier.verify(try await signer.token(issuedAt: Date().addingTimeInterval(-400), lifetime: 300))
        }
        _ = try await verifier.verify(try await signer.token(issuedAt: Date().addingTimeInterval(-310), lifetime: 300))
        await #expect(throws: APIError.self) { try await verifier.verify("not.a.token") }
    }

    @Test func unknownKidRefreshesOnceAndIsRateLimited() async throws {
        let first = await Signer(kid: "k1")
        let second = await Signer(kid: "k2")
        let published = Mutex<String>(#"{"keys":[\#(first.jwk)]}"#)
        let fetches = Fetches()
        let verifier = JWTVerifier(source: JWKSSource(description: "test") {
            fetches.count.add(1, ordering: .relaxed)
            return published.withLock { $0 }
        }, issuer: "iam", audience: "shop", minimumRefreshInterval: .seconds(3600))
        try await verifier.refresh()
        #expect(fetches.count.load(ordering: .relaxed) == 1)
        // Rotation published after our refresh: the unknown kid may not refresh yet (rate limit) → 401.
        published.withLock { $0 = #"{"keys":[\#(first.jwk),\#(second.jwk)]}"# }
        await #expect(throws: APIError.self) { try await verifier.verify(try await second.token()) }
        #expect(fetches.count.load(ordering: .relaxed) == 1)

        let eager = JWTVerifier(source: JWKSSource(description: "test") {
            fetches.count.add(1, ordering: .relaxed)
            return published.withLock { $0 }
        }, issuer: "iam", audience: "shop", minimumRefreshInterval: .zero)
        _ = try await eager.verify(try await first.token())
        _ = try await eager.verify(try await second.token())
        // One fetch served both kids; a forged kid costs at most one more.
        #expect(fetches.count.load(ordering: .relaxed) == 2)
    }

    /// Twenty requests with the first token of a new key arrive together: one fetch, and every one of them
    /// waits for it instead of being refused as "refreshed too recently" (2 of 20 were, before).
    @Test func concurrentFirstRequestsAllWaitForTheOneFetch() async throws {
        let signer = await Signer(kid: "k1")
        let fetches = Fetches()
        let verifier = JWTVerifier(source: JWKSSource(description: "test") {
            fetches.count.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))   // a slow IAM: the others arrive while it is fetched
            return #"{"keys":[\#(signer.jwk)]}"#
        }, issuer: "iam", audience: "shop", minimumRefreshInterval: .seconds(3600))
        let token = try await signer.token()
        let verified = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { (try? await verifier.verify(token)) != nil } }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(verified == 20)
        #expect(fetches.count.load(ordering: .relaxed) == 1)
    }

    /// IAM was unreachable for the first request with a new key: the next request a moment later tries
    /// again (it is not locked out for the whole refresh interval), and the token is accepted.
    @Test func aFailedFetchIsRetriedSoonAfter() async throws {
        let signer = await Signer(kid: "k1")
        let fetches = Fetches()
        let verifier = JWTVerifier(source: JWKSSource(description: "test") {
            if fetches.count.add(1, ordering: .relaxed).newValue == 1 { throw CancellationError() }   // IAM restarting
            return #"{"keys":[\#(signer.jwk)]}"#
        }, issuer: "iam", audience: "shop", minimumRefreshInterval: .seconds(3600))
        let token = try await signer.token()
        #expect((try? await verifier.verify(token)) == nil)
        let deadline = ContinuousClock.now + .seconds(60)
        var accepted = false
        while !accepted, ContinuousClock.now < deadline {
            accepted = (try? await verifier.verify(token)) != nil
            if !accepted { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(accepted)
        #expect(fetches.count.load(ordering: .relaxed) == 2)
    }

    @Test func middlewareRefusesWithoutTokenAndChecksRoles() async throws {
        let signer = await Signer(kid: "k1")
        let jwks = #"{"keys":[\#(signer.jwk)]}"#
        let verifier = JWTVerifier(source: JWKSSource(description: "test") { jwks }, issuer: "iam", audience: "shop")
        let app = try EnvelopeTests.makeApp()
        app.route(.get, "/me", doc: OperationDoc("me", tag: "t", requiresAuth: true), middleware: [AuthMiddleware(verifier: verifier)]) { _, context in
            EnvelopeResponse(["sub": try context.requirePrincipal().subject])
        }
        app.route(.get, "/admin", doc: OperationDoc("admin", tag: "t", requiresAuth: true),
                  middleware: [AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)]) { _, _ in
            EnvelopeResponse<EmptyPayload>.message("hi admin")
        }
        let customer = try await signer.token()
        try await app.application().test(.router) { client in
            try await client.execute(uri: "/me", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(EnvelopeTests.decode(response).code == 401)
            }
            try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(customer)"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/admin", method: .get, headers: [.authorization: "Bearer \(customer)"]) { response in
                #expect(response.status == .forbidden)
                #expect(EnvelopeTests.decode(response).code == 403)
            }
        }
    }

    @Test func ownership() throws {
        let user = Principal(subject: "u1", roles: ["customer"], scopes: [])
        let admin = Principal(subject: "a", roles: ["admin"], scopes: [])
        try user.requireOwner("u1", allowAdmin: false)
        #expect(throws: APIError.self) { try user.requireOwner("u2", allowAdmin: true) }
        try admin.requireOwner("u2", allowAdmin: true)
        #expect(throws: APIError.self) { try admin.requireOwner("u2", allowAdmin: false) }
    }
}
