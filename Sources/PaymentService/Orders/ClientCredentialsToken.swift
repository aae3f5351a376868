import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// An access token for calls to other services, from IAM's token endpoint with the OAuth2
/// client-credentials grant (RFC 6749 §4.4), cached until shortly before it expires.
///
/// Lives here because ServiceKit has no such client yet; it belongs there once a second service needs it.
actor ClientCredentialsToken {
    struct Credentials: Sendable, Equatable {
        var tokenURL: String
        var clientId: String
        var clientSecret: String
        var scope: String
    }

    private let credentials: Credentials
    private let http: ServiceHTTPClient
    private var cached: (token: String, expiresAt: ContinuousClock.Instant)?

    init(credentials: Credentials, http: ServiceHTTPClient) {
        self.credentials = credentials
        self.http = http
    }

    /// A live token, fetched when the cached one is missing or within 30 s of expiry.
    func token() async throws -> String {
        if let cached, ContinuousClock.now < cached.expiresAt { return cached.token }
        let form = [("grant_type", "client_credentials"), ("client_id", credentials.clientId),
                    ("client_secret", credentials.clientSecret), ("scope", credentials.scope)]
            .map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        let reply = try await http.execute(.POST, credentials.tokenURL,
                                           headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                           body: ByteBuffer(string: form))
        guard reply.status == 200,
              let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(reply.body.readableBytesView)) else {
            throw ServiceCallError.unavailable(url: credentials.tokenURL, reason: "token request answered HTTP \(reply.status)")
        }
        let lifetime = max(0, answer.expiresIn - 30)
        cached = (answer.accessToken, ContinuousClock.now + .seconds(lifetime))
        return answer.accessToken
    }

    /// Forgets the cached token (the callee refused it).
    func invalidate() {
        cached = nil
    }

    private struct TokenAnswer: Decodable {
        var accessToken: String
        var expiresIn: Int
        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }

    private static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
