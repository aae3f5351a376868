import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// IAM over real HTTP: a `shop serve iam` process with real SQLite and a real broker process.
@Suite(.serialized) struct IAMHTTPTests {
    @Test func registerLoginRefreshRotationReuseAndLogout() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        let registered = try await fixture.register("Ada@Example.com")
        #expect(registered.status == 201 && registered.envelopeStatus == "SUCCESS")
        #expect(registered.data?["email"]?.stringValue == "ada@example.com")
        #expect(registered.data?["id"]?.stringValue?.isEmpty == false)
        // The email is unique case-insensitively.
        let duplicate = try await fixture.register("ADA@example.COM")
        #expect(duplicate.status == 409 && duplicate.code == 409 && duplicate.envelopeStatus == "ERROR")

        let login = try await fixture.login("ada@example.com")
        #expect(login.status == 200)
        #expect(login.data?["tokenType"]?.stringValue == "Bearer")
        #expect((login.data?["expiresIn"]?.intValue ?? 0) > 0)
        let access = try #require(login.data?["accessToken"]?.stringValue)
        let refresh = try #require(login.data?["refreshToken"]?.stringValue)
        let me = try await fixture.client.send(.GET, "/auth/me", bearer: access)
        #expect(me.status == 200 && me.data?["email"]?.stringValue == "ada@example.com")

        // Rotation: every refresh answers a new pair and retires the old refresh token.
        let rotated = try await fixture.client.send(.POST, "/auth/refresh", json: ["refreshToken": .string(refresh)])
        #expect(rotated.status == 200)
        let refresh2 = try #require(rotated.data?["refreshToken"]?.stringValue)
        #expect(refresh2 != refresh)
        // Reuse of the retired token is theft: 401, and the whole family is revoked.
        let reused = try await fixture.client.send(.POST, "/auth/refresh", json: ["refreshToken": .string(refresh)])
        #expect(reused.status == 401 && reused.envelopeStatus == "ERROR")
        let afterReuse = try await fixture.client.send(.POST, "/auth/refresh", json: ["refreshToken": .string(refresh2)])
        #expect(afterReuse.status == 401)

        // Logout revokes the session's refresh tokens.
        let second = try await fixture.login("ada@example.com")
        let refresh3 = try #require(second.data?["refreshToken"]?.stringValue)
        let logout = try await fixture.client.send(.POST, "/auth/logout", json: ["refreshToken": .string(refresh3)])
        #expect(logout.status == 200)
        let afterLogout = try await fixture.client.send(.POST, "/auth/refresh", json: ["refreshToken": .string(refresh3)])
        #expect(afterLogout.status == 401)
    }

    @Test func wrongPasswordAndUnknownEmailAreIndistinguishable() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        _ = try await fixture.register("bob@example.com")
        let wrong = try await fixture.login("bob@example.com", password: "not the password at all")
        let unknown = try await fixture.login("nobody@example.com", password: "not the password at all")
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.message == unknown.message)
        #expect(wrong.json["errors"] == unknown.json["errors"])
    }

    @Test func lockoutAfterRepeatedFailures() async throws {
        let fixture = try await IAMProcessFixture(extraEnvironment: ["IAM_LOCKOUT_THRESHOLD": "3", "IAM_LOCKOUT_SECONDS": "600"])
        defer { fixture.stop() }
        _ = try await fixture.register("carol@example.com")
        for _ in 0..<3 {
            #expect(try await fixture.login("carol@example.com", password: "wrong password here").status == 401)
        }
        // Locked now: even the right password is refused, and only then is the lock revealed.
        let locked = try await fixture.login("carol@example.com")
        #expect(locked.status == 403)
        #expect(locked.message?.lowercased().contains("locked") == true)
        // An admin unlocks the account.
        let admin = try await fixture.accessToken(IAMProcessFixture.adminEmail, password: IAMProcessFixture.adminPassword)
        let users = try await fixture.client.send(.GET, "/admin/users?page=0&size=50", bearer: admin)
        let carol = try #require(users.data?["items"]?.arrayValue?.first { $0["email"]?.stringValue == "carol@example.com" })
        #expect(carol["locked"]?.boolValue == true)
        let id = try #require(carol["id"]?.stringValue)
        let unlock = try await fixture.client.send(.PATCH, "/admin/users/\(id)", json: ["locked": false], bearer: admin)
        #expect(unlock.status == 200 && unlock.data?["locked"]?.boolValue == false)
        #expect(try await fixture.login("carol@example.com").status == 200)
    }

    @Test func adminRoutesAreRefusedToCustomers() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        let registered = try await fixture.register("dave@example.com")
        let daveId = try #require(registered.data?["id"]?.stringValue)
        let customer = try await fixture.accessToken("dave@example.com")
        #expect(try await fixture.client.send(.GET, "/admin/users").status == 401)
        let refused = try await fixture.client.send(.GET, "/admin/users", bearer: customer)
        #expect(refused.status == 403 && refused.code == 403 && refused.envelopeStatus == "ERROR")
        #expect(try await fixture.client.send(.PATCH, "/admin/users/\(daveId)", json: ["roles": ["admin"]], bearer: customer).status == 403)

        let admin = try await fixture.accessToken(IAMProcessFixture.adminEmail, password: IAMProcessFixture.adminPassword)
        let page = try await fixture.client.send(.GET, "/admin/users?page=0&size=1", bearer: admin)
        #expect(page.status == 200)
        #expect(page.data?["items"]?.arrayValue?.count == 1)
        #expect((page.data?["total"]?.intValue ?? 0) >= 2)
        // Paging input from outside: a bad or huge value is a 400 naming it, never a crash or a silent default.
        for query in ["page=9223372036854775807&size=2", "page=-1", "size=0", "size=150", "page=abc", "size=2.5"] {
            let refused = try await fixture.client.send(.GET, "/admin/users?\(query)", bearer: admin)
            #expect(refused.status == 400 && !refused.errorFields.isEmpty, "\(query): \(refused.text)")
        }
        #expect(try await fixture.client.send(.GET, "/admin/users?page=1000000&size=100", bearer: admin).data?["items"]?.arrayValue?.isEmpty == true)
        #expect(try await fixture.client.send(.GET, "/health/live").status == 200)
        let promoted = try await fixture.client.send(.PATCH, "/admin/users/\(daveId)", json: ["roles": ["customer", "admin"]], bearer: admin)
        #expect(promoted.status == 200)
        #expect(Set(promoted.data?["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["customer", "admin"])
        // null is not "left out": refused, naming the field, and nothing changes.
        let nulled = try await fixture.client.send(.PATCH, "/admin/users/\(daveId)", json: ["enabled": .null, "locked": false], bearer: admin)
        #expect(nulled.status == 400 && nulled.errorFields == ["enabled"], "\(nulled.text)")
        let disabled = try await fixture.client.send(.PATCH, "/admin/users/\(daveId)", json: ["enabled": false], bearer: admin)
        #expect(disabled.status == 200)
        #expect(try await fixture.login("dave@example.com").status == 403)
        #expect(try await fixture.client.send(.PATCH, "/admin/users/\(UUID().uuidString)", json: ["enabled": true], bearer: admin).status == 404)
    }

    @Test func issuedTokensVerifyWithThePublishedJWKSAcrossKeyRotation() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        let discovery = try await fixture.client.send(.GET, "/.well-known/openid-configuration")
        #expect(discovery.status == 200)
        let issuer = try #require(discovery.json["issuer"]?.stringValue)
        #expect(discovery.json["jwks_uri"]?.stringValue?.hasSuffix("/.well-known/jwks.json") == true)
        #expect(discovery.json["token_endpoint"]?.stringValue?.hasSuffix("/oauth2/token") == true)

        _ = try await fixture.register("erin@example.com")
        let before = try await fixture.accessToken("erin@example.com")
        let jwksURL = fixture.iam.baseURL + "/.well-known/jwks.json"
        let verifier = JWTVerifier(source: .http(jwksURL), issuer: issuer, audience: "shop")
        let principal = try await verifier.verify(before)
        #expect(principal.roles == ["customer"] && principal.email == "erin@example.com")

        let admin = try await fixture.accessToken(IAMProcessFixture.adminEmail, password: IAMProcessFixture.adminPassword)
        let rotation = try await fixture.client.send(.POST, "/admin/keys/rotate", bearer: admin)
        #expect(rotation.status == 200)
        let newKid = try #require(rotation.data?["kid"]?.stringValue)
        let jwks = try await fixture.client.send(.GET, "/.well-known/jwks.json")
        let kids = jwks.json["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue } ?? []
        #expect(kids.count == 2 && kids.contains(newKid))
        // The old token still verifies (its key stays published); new tokens are signed by the new key.
        let fresh = JWTVerifier(source: .http(jwksURL), issuer: issuer, audience: "shop")
        _ = try await fresh.verify(before)
        let after = try await fixture.accessToken("erin@example.com")
        #expect(try await fresh.verify(after).email == "erin@example.com")
        let header = try #require(Base64URL.decode(String(after.split(separator: ".")[0])))
        #expect(String(decoding: header, as: UTF8.self).contains(newKid))
    }

    /// A service's first burst of calls (sixteen at once) costs IAM one client-credentials request, not sixteen
    /// argon2id checks of the secret; a refused secret fails every waiting caller and the next call asks again.
    @Test func serviceTokenBurstIsOneTokenRequest() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        let tokenURL = fixture.iam.baseURL + "/oauth2/token"
        let token = ClientCredentialsToken(credentials: .init(tokenURL: tokenURL, clientId: "order-service",
                                                              clientSecret: "order-secret-123", scope: "inventory.read"),
                                           http: ServiceHTTPClient())
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try await token.token() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens.count == 1)
        #expect(await token.fetches == 1)
        #expect(try await token.token() == tokens.first)
        #expect(await token.fetches == 1)

        let refused = ClientCredentialsToken(credentials: .init(tokenURL: tokenURL, clientId: "order-service",
                                                                clientSecret: "not-the-secret", scope: "inventory.read"),
                                             http: ServiceHTTPClient())
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { (try? await refused.token()) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 4)
        #expect(await refused.fetches == 1)
        #expect((try? await refused.token()) == nil)
        #expect(await refused.fetches == 2)
    }

    @Test func oauth2TokenEndpoint() async throws {
        let fixture = try await IAMProcessFixture()
        defer { fixture.stop() }
        _ = try await fixture.register("frank@example.com")
        let password = try await fixture.client.send(.POST, "/oauth2/token", form: [
            "grant_type": "password", "username": "frank@example.com", "password": "correct horse battery",
        ])
        #expect(password.status == 200)
        #expect(password.json["token_type"]?.stringValue == "Bearer")
        #expect(password.json["access_token"]?.stringValue != nil && (password.json["expires_in"]?.intValue ?? 0) > 0)
        let refresh = try #require(password.json["refresh_token"]?.stringValue)
        let refreshed = try await fixture.client.send(.POST, "/oauth2/token", form: ["grant_type": "refresh_token", "refresh_token": refresh])
        #expect(refreshed.status == 200 && refreshed.json["refresh_token"]?.stringValue != refresh)

        let wrong = try await fixture.client.send(.POST, "/oauth2/token", form: [
            "grant_type": "password", "username": "frank@example.com", "password": "wrong wrong wrong",
        ])
        #expect(wrong.status == 400 && wrong.json["error"]?.stringValue == "invalid_grant")

        let service = try await fixture.client.send(.POST, "/oauth2/token", form: [
            "grant_type": "client_credentials", "client_id": "order-service", "client_secret": "order-secret-123", "scope": "inventory.read",
        ])
        #expect(service.status == 200 && service.json["refresh_token"] == nil)
        #expect(service.json["scope"]?.stringValue == "inventory.read")
        let badClient = try await fixture.client.send(.POST, "/oauth2/token", form: [
            "grant_type": "client_credentials", "client_id": "order-service", "client_secret": "nope",
        ])
        #expect(badClient.status == 401 && badClient.json["error"]?.stringValue == "invalid_client")
        let unsupported = try await fixture.client.send(.POST, "/oauth2/token", form: ["grant_type": "implicit"])
        #expect(unsupported.status == 400 && unsupported.json["error"]?.stringValue == "unsupported_grant_type")
    }

    @Test func everyErrorIsInTheEnvelope() async throws {
        let fixture = try await IAMProcessFixture(extraEnvironment: ["MAX_BODY_BYTES": "4096", "IAM_LOGIN_RATE_BURST": "10", "IAM_LOGIN_RATE_PER_MINUTE": "1"])
        defer { fixture.stop() }
        let client = fixture.client
        func expectEnvelope(_ answer: EnvelopeClient.Answer, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == status, sourceLocation: sourceLocation)
            #expect(answer.envelopeStatus == "ERROR" && answer.code == status, "\(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.headers.first(name: "X-Request-Id") != nil, sourceLocation: sourceLocation)
        }
        let invalid = try await client.send(.POST, "/auth/register", json: ["email": "not-an-email", "password": "short", "firstName": "", "lastName": "X"])
        expectEnvelope(invalid, 400)
        #expect(Set(invalid.errorFields).isSuperset(of: ["email", "password"]))
        // Missing fields and broken rules are answered together: the client fixes everything in one go.
        let several = try await client.send(.POST, "/auth/register", json: ["email": "not-an-email", "password": "x"])
        expectEnvelope(several, 400)
        #expect(Set(several.errorFields) == ["email", "password", "firstName", "lastName"], "\(several.text)")
        expectEnvelope(try await client.send(.POST, "/auth/register", raw: ("{\"email\":", "application/json")), 400)
        let wrongType = try await client.send(.POST, "/auth/login", json: ["email": 42, "password": "x"])
        expectEnvelope(wrongType, 400)
        #expect(wrongType.errorFields == ["email"])
        expectEnvelope(try await client.send(.GET, "/auth/me"), 401)
        expectEnvelope(try await client.send(.GET, "/auth/me", bearer: "garbage.token.here"), 401)
        expectEnvelope(try await client.send(.GET, "/no/such/route"), 404)
        let wrongMethod = try await client.send(.GET, "/auth/login")
        expectEnvelope(wrongMethod, 405)
        #expect(wrongMethod.headers.first(name: "Allow") == "POST")
        expectEnvelope(try await client.send(.POST, "/auth/login", raw: (String(repeating: "x", count: 8192), "application/json")), 413)
        expectEnvelope(try await client.send(.POST, "/auth/login", raw: ("email=a", "text/plain")), 415)
        _ = try await fixture.register("gina@example.com")
        expectEnvelope(try await fixture.register("gina@example.com"), 409)
        let admin = try await fixture.accessToken(IAMProcessFixture.adminEmail, password: IAMProcessFixture.adminPassword)
        let users = try await client.send(.GET, "/admin/users", bearer: admin)
        let adminId = try #require(users.data?["items"]?.arrayValue?.first { $0["email"]?.stringValue == IAMProcessFixture.adminEmail }?["id"]?.stringValue)
        // Demoting the last administrator cannot be done: 422.
        expectEnvelope(try await client.send(.PATCH, "/admin/users/\(adminId)", json: ["roles": ["customer"]], bearer: admin), 422)
        // Login attempts from one client are rate limited: 429 with Retry-After.
        var limited: EnvelopeClient.Answer?
        for _ in 0..<20 {
            let answer = try await fixture.login("gina@example.com", password: "wrong wrong wrong")
            if answer.status == 429 { limited = answer; break }
        }
        let throttled = try #require(limited)
        expectEnvelope(throttled, 429)
        #expect(throttled.headers.first(name: "Retry-After") != nil)
    }
}
