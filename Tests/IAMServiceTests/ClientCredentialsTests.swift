import Foundation
import Testing

@testable import IAMService

@Suite struct ClientCredentialsTests {
    @Test func clientGetsAnAccessTokenWithItsScopesAndNoRefreshToken() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.tokens.registerClient(clientId: "order-service", secret: "order-service-secret-123",
                                                scopes: ["inventory.reserve", "payment.charge"])
        let all = try await fixture.tokens.clientCredentials(clientId: "order-service", clientSecret: "order-service-secret-123")
        #expect(all.refreshToken == nil && all.scope == "inventory.reserve payment.charge")
        let claims = try await fixture.tokens.verifyAccessToken(all.accessToken)
        #expect(claims.sub.value == "order-service" && claims.clientId == "order-service")
        #expect(claims.roles == ["service"] && claims.scopes == ["inventory.reserve", "payment.charge"])
        #expect(claims.email == nil)

        let narrowed = try await fixture.tokens.clientCredentials(
            clientId: "order-service", clientSecret: "order-service-secret-123", scope: "payment.charge")
        #expect(narrowed.scope == "payment.charge")
    }

    @Test func wrongSecretUnknownClientAndDisallowedScope() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.tokens.registerClient(clientId: "order-service", secret: "order-service-secret-123", scopes: ["a"])
        #expect(await iamError { try await fixture.tokens.clientCredentials(clientId: "order-service", clientSecret: "wrong-secret-xxxxxx") } == .invalidClient)
        #expect(await iamError { try await fixture.tokens.clientCredentials(clientId: "nobody", clientSecret: "whatever") } == .invalidClient)
        #expect(await iamError { try await fixture.tokens.clientCredentials(clientId: "", clientSecret: "") } == .invalidClient)
        #expect(await iamError {
            try await fixture.tokens.clientCredentials(clientId: "order-service", clientSecret: "order-service-secret-123", scope: "a admin")
        } == .invalidScope("admin"))
        // Re-registering from config replaces the secret; a disabled client is refused like a wrong secret.
        try await fixture.tokens.registerClient(clientId: "order-service", secret: "order-service-secret-123",
                                                scopes: ["a"], enabled: false)
        #expect(await iamError { try await fixture.tokens.clientCredentials(clientId: "order-service", clientSecret: "order-service-secret-123") } == .invalidClient)
        guard case .validation = await iamError({ try await fixture.tokens.registerClient(clientId: "x", secret: "short", scopes: []) }) else {
            Issue.record("a short secret must be refused")
            return
        }
    }
}
