import Foundation
import ServiceKit

extension IAMTokens {
    /// Registers (or updates, from configuration) a client for the client_credentials grant. The secret is
    /// stored as an argon2id hash.
    /// - Throws: `.validation` for an empty id, a secret shorter than 16 characters, or bad scope names.
    public func registerClient(
        clientId: String, secret: String, name: String? = nil, scopes: [String], roles: Set<Role> = [.service],
        enabled: Bool = true
    ) async throws {
        var problems: [FieldError] = []
        if clientId.isEmpty || clientId.count > 100 || clientId.contains(where: { $0.isWhitespace || $0 == ":" }) {
            problems.append(FieldError(field: "clientId", message: "must be 1-100 characters without spaces or ':'"))
        }
        if secret.count < 16 { problems.append(FieldError(field: "clientSecret", message: "must be at least 16 characters")) }
        if scopes.contains(where: { !Self.isValidScopeToken($0) }) {
            problems.append(FieldError(field: "scopes", message: "must be printable ASCII without spaces, quotes or backslashes"))
        }
        if !problems.isEmpty { throw IAMError.validation(problems) }
        let client = OAuthClient(
            clientId: clientId, name: name ?? clientId, scopes: Array(Set(scopes)).sorted(), roles: roles,
            enabled: enabled, secretHash: try await hasher.hash(secret))
        try await store.upsertClient(client, now: clock.now())
    }

    /// The client_credentials grant: an access token with `sub` = the client id, the client's roles, and
    /// the requested scopes (all allowed scopes when `scope` is nil or empty). No refresh token.
    /// - Throws: `.invalidClient` (unknown client, wrong secret, disabled; indistinguishable and equally
    ///   slow), `.invalidScope` for a scope the client may not have.
    public func clientCredentials(clientId: String, clientSecret: String, scope: String? = nil) async throws -> TokenResponse {
        guard !clientId.isEmpty, let client = try await store.client(id: clientId) else {
            try await hasher.verifyDummy(clientSecret)
            throw IAMError.invalidClient
        }
        guard try await hasher.verify(clientSecret, against: client.secretHash), client.enabled else {
            throw IAMError.invalidClient
        }
        let requested = scope?.split(separator: " ").map(String.init) ?? []
        let granted: [String]
        if requested.isEmpty {
            granted = client.scopes
        } else {
            let notAllowed = requested.filter { !client.scopes.contains($0) }
            if !notAllowed.isEmpty { throw IAMError.invalidScope(notAllowed.joined(separator: " ")) }
            granted = Array(Set(requested)).sorted()
        }
        let grantedScope = granted.isEmpty ? nil : granted.joined(separator: " ")
        let now = clock.now()
        let claims = makeClaims(subject: client.clientId, roles: Role.names(client.roles), scope: grantedScope,
                                email: nil, clientId: client.clientId, now: now)
        return TokenResponse(
            accessToken: try await signingKeys.sign(claims), tokenType: "Bearer",
            expiresIn: Int(configuration.accessTokenTTL), refreshToken: nil, scope: grantedScope)
    }

    /// RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E.
    static func isValidScopeToken(_ token: String) -> Bool {
        !token.isEmpty && token.unicodeScalars.allSatisfy { scalar in
            let v = scalar.value
            return v == 0x21 || (0x23...0x5B).contains(v) || (0x5D...0x7E).contains(v)
        }
    }
}
