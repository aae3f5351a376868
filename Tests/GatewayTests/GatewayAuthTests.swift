import AsyncHTTPClient
import Foundation
import Testing

/// JWT checks before forwarding, against a JWKS served over HTTP by an in-test upstream.
@Suite struct GatewayAuthTests {
    @Test func missingExpiredBadlySignedAndUnknownKidTokensAreRefusedWith401() async throws {
        try await TestScope.run { scope in
            let signer = await TestSigner(kid: "key-1")
            let jwks = try await scope.echo("iam", jwks: try signer.jwks())
            let order = try await scope.echo("order")
            let gateway = try await scope.gateway(["JWKS_URL": jwks.baseURL + "/.well-known/jwks.json",
                                                   "UPSTREAM_ORDER_URL": order.baseURL])
            let client = gateway.client

            let valid = try await signer.token()
            let ok = try await client.get("/orders/7", bearer: valid)
            #expect(ok.status == 200 && ok.upstream == "order")
            // The Authorization header is forwarded as it came.
            #expect(ok.upstreamHeaders["authorization"] == "Bearer \(valid)")

            let forger = await TestSigner(kid: "key-1")  // same kid, other key: a bad signature
            let stranger = await TestSigner(kid: "key-unknown")
            let refused: [(String, [(String, String)])] = [
                ("missing", []),
                ("not bearer", [("Authorization", "Basic dXNlcjpwYXNz")]),
                ("malformed", [("Authorization", "Bearer not.a.jwt")]),
                ("expired", [("Authorization", "Bearer \(try await signer.token(expiresIn: -3600))")]),
                ("badly signed", [("Authorization", "Bearer \(try await forger.token())")]),
                ("unknown kid", [("Authorization", "Bearer \(try await stranger.token())")]),
                ("wrong audience", [("Authorization", "Bearer \(try await signer.token(audience: "elsewhere"))")]),
                ("wrong issuer", [("Authorization", "Bearer \(try await signer.token(issuer: "https://evil.example"))")]),
            ]
            let before = order.requestIds.count
            for (what, headers) in refused {
                let answer = try await client.get("/orders/7", headers: headers)
                #expect(answer.status == 401, "\(what)")
                #expect(answer.envelopeStatus == "ERROR" && answer.code == 401, "\(what): \(answer.text)")
                #expect(answer.header("WWW-Authenticate") == "Bearer", "\(what)")
                #expect(answer.header("X-Request-Id")?.isEmpty == false, "\(what)")
            }
            // None of them reached the upstream.
            #expect(order.requestIds.count == before)
        }
    }

    @Test func publicRoutesAreOpenAndOthersAreNot() async throws {
        try await TestScope.run { scope in
            let iam = try await scope.echo("iam")
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_IAM_URL": iam.baseURL, "UPSTREAM_CATALOG_URL": catalog.baseURL])
            let client = gateway.client
            #expect(try await client.post("/auth/login").status == 200)
            #expect(try await client.post("/auth/register").status == 200)
            #expect(try await client.get("/.well-known/openid-configuration").status == 200)
            #expect(try await client.post("/oauth2/token").status == 200)
            #expect(try await client.get("/products").status == 200)
            #expect(try await client.get("/products/42").status == 200)
            #expect(try await client.send(.HEAD, "/products/42").status == 200)
            // GET only: writes to the catalog need a token, so does /admin.
            #expect(try await client.post("/products").status == 401)
            #expect(try await client.send(.DELETE, "/products/42").status == 401)
            #expect(try await client.get("/admin/users").status == 401)
            #expect(try await client.get("/health").status == 200)
            #expect(try await client.get("/metrics").status == 200)
        }
    }

    @Test func publicRoutesAreConfigurable() async throws {
        try await TestScope.run { scope in
            let iam = try await scope.echo("iam")
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_IAM_URL": iam.baseURL, "UPSTREAM_CATALOG_URL": catalog.baseURL,
                                                   "GATEWAY_PUBLIC_ROUTES": "POST /auth/login, /products/*/reviews"])
            let client = gateway.client
            #expect(try await client.post("/auth/login").status == 200)
            #expect(try await client.post("/auth/register").status == 401)
            #expect(try await client.get("/products/42/reviews").status == 200)
            #expect(try await client.get("/products/42").status == 401)
        }
    }
}
