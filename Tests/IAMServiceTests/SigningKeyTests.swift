import Foundation
import ServiceKit
import JWTKit
import Testing

@testable import IAMService

@Suite struct SigningKeyTests {
    @Test func jwksHasTheES256PublicKeyAndTokensCarryItsKid() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let json = try await fixture.core.signingKeys.jwksJSON()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        let key = keys[0]
        #expect(key["kty"] as? String == "EC" && key["crv"] as? String == "P-256")
        #expect(key["alg"] as? String == "ES256" && key["use"] as? String == "sig")
        #expect((key["x"] as? String)?.count == 43 && (key["y"] as? String)?.count == 43)
        #expect(key["d"] == nil)  // never the private part
        let kid = try #require(key["kid"] as? String)

        let user = try await fixture.register("ada@example.com")
        let pair = try await fixture.tokens.issueTokens(for: user)
        let header = try decodeHeader(pair.accessToken)
        #expect(header["kid"] as? String == kid && header["alg"] as? String == "ES256" && header["typ"] as? String == "JWT")

        // Verifiable by a stranger holding only the JWKS.
        let verifier = try await JWTKeyCollection().add(jwksJSON: json)
        let claims = try await verifier.verify(pair.accessToken, as: AccessTokenClaims.self)
        #expect(claims.sub.value == user.id && claims.roles == ["customer"] && claims.email == "ada@example.com")
        #expect(claims.iss.value == "http://127.0.0.1:8081" && claims.aud.value == ["shop"])
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 900)
        #expect(pair.expiresIn == 900 && pair.tokenType == "Bearer")
    }

    @Test func keysSurviveARestart() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let before = try await fixture.core.signingKeys.publishedKids()
        let restarted = try await IAMCore.start(database: fixture.database, configuration: fixture.core.configuration,
                                                clock: fixture.clock.serviceClock)
        #expect(try await restarted.signingKeys.publishedKids() == before)
    }

    @Test func aTokenSignedByTheOldKeyStillVerifiesAfterRotationUntilTheKeyIsPruned() async throws {
        let fixture = try await IAMFixture.make { config in
            config.accessTokenTTL = 300
            config.signingKeyRetentionLeeway = 60
            config.signingKeyRotationAge = 3600
        }
        defer { fixture.removeFiles() }
        let ring = fixture.core.signingKeys
        let user = try await fixture.register("ada@example.com")
        let oldToken = try await fixture.tokens.issueTokens(for: user).accessToken
        let oldKid = try await ring.currentKid()

        // Automatic rotation once the current key reaches the rotation age.
        fixture.clock.advance(by: 3600)
        let newKid = try await ring.currentKid()
        #expect(newKid != oldKid)
        #expect(try await ring.publishedKids() == [newKid, oldKid])
        let newToken = try await fixture.tokens.issueTokens(for: user).accessToken
        #expect(try decodeHeader(newToken)["kid"] as? String == newKid)

        // The test clock has moved an hour ahead of the wall clock, so check signatures only (jwt-kit's
        // claim checks use the wall clock).
        let jwks = try await ring.jwksJSON()
        let verifier = try await JWTKeyCollection().add(jwksJSON: jwks)
        _ = try await verifier.verify(oldToken, as: SignatureOnlyClaims.self)
        _ = try await verifier.verify(newToken, as: SignatureOnlyClaims.self)

        // Still published just before retiredAt + accessTokenTTL + leeway; gone after.
        fixture.clock.advance(by: 359)
        #expect(try await ring.publishedKids() == [newKid, oldKid])
        fixture.clock.advance(by: 2)
        #expect(try await ring.publishedKids() == [newKid])
        let prunedJWKS = try await ring.jwksJSON()
        #expect(!prunedJWKS.contains(oldKid))
        let laterVerifier = try await JWTKeyCollection().add(jwksJSON: prunedJWKS)
        await #expect(throws: (any Error).self) { try await laterVerifier.verify(oldToken, as: SignatureOnlyClaims.self) }
        _ = try await laterVerifier.verify(newToken, as: SignatureOnlyClaims.self)
        #expect(try await fixture.core.store.signingKeys().map(\.kid) == [newKid])
    }

    @Test func manualRotationKeepsBothKeysPublished() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let ring = fixture.core.signingKeys
        let first = try await ring.currentKid()
        try await ring.rotate()
        let second = try await ring.currentKid()
        #expect(first != second)
        #expect(try await ring.jwks().keys.map(\.kid) == [second, first])
    }

    @Test func verifyAccessTokenChecksIssuerAudienceAndExpiry() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let user = try await fixture.register("ada@example.com")
        let token = try await fixture.tokens.issueTokens(for: user).accessToken
        #expect(try await fixture.tokens.verifyAccessToken(token).sub.value == user.id)

        var other = fixture.core.configuration
        other.audience = "elsewhere"
        let foreign = IAMTokens(store: fixture.core.store, signingKeys: fixture.core.signingKeys, hasher: fixture.core.hasher,
                                configuration: other, clock: fixture.clock.serviceClock)
        #expect(await iamError { try await foreign.verifyAccessToken(token) } == .invalidAccessToken(reason: "audience"))

        fixture.clock.advance(by: 900 + 61)
        #expect(await iamError { try await fixture.tokens.verifyAccessToken(token) } == .invalidAccessToken(reason: "expired"))
        guard case .invalidAccessToken = await iamError({ try await fixture.tokens.verifyAccessToken(token + "x") }) else {
            Issue.record("a tampered token must not verify")
            return
        }
    }
}

/// The JOSE header of a compact JWT, as JSON.
func decodeHeader(_ token: String) throws -> [String: Any] {
    let part = String(try #require(token.split(separator: ".").first))
    var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    let data = try #require(Data(base64Encoded: base64))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Decodes the subject and checks nothing but the signature (done by jwt-kit before `verify` is called).
struct SignatureOnlyClaims: JWTPayload {
    var sub: SubjectClaim
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
