import Foundation
import NIOCore
import NIOHTTP1

/// An access token for calls to other services, from IAM's token endpoint with the OAuth2
/// client-credentials grant (RFC 6749 §4.4), cached until 30 s before it expires so that a burst of
/// calls costs one token request.
///
///     let token = ClientCredentialsToken(credentials: .init(tokenURL: config.oauthTokenURL, clientId: "order-service",
///                                                           clientSecret: secret, scope: "catalog.read"), http: http)
///     let bearer = try await token.token()     // cached
///     await token.invalidate()                 // after the callee answered 401
///
/// Callers that arrive while a token is being fetched wait for that one fetch: IAM checks a client secret
/// with argon2id, so a burst of first calls must not become a burst of password hashes.
public actor ClientCredentialsToken {
    public struct Credentials: Sendable, Equatable {
        public var tokenURL: String
        public var clientId: String
        public var clientSecret: String
        /// Space-separated scopes, as RFC 6749 §3.3 writes them.
        public var scope: String

        public init(tokenURL: String, clientId: String, clientSecret: String, scope: String) {
            self.tokenURL = tokenURL
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.scope = scope
        }
    }

    public let credentials: Credentials
    /// The deadline of one token request. Longer than a typical read's: the hash IAM computes for it is queued
    /// behind logins and registrations on a busy IAM, and the token then serves every call for minutes.
    public let requestTimeout: Duration
    private let http: ServiceHTTPClient
    private var cached: (token: String, expiresAt: ContinuousClock.Instant)?
    private var inFlight: Task<(token: String, expiresAt: ContinuousClock.Instant), any Error>?
    /// How many token requests went to IAM (tests read it).
    public private(set) var fetches = 0

    public init(credentials: Credentials, http: ServiceHTTPClient, requestTimeout: Duration = .seconds(5)) {
        self.credentials = credentials
        self.http = http
        self.requestTimeout = requestTimeout
    }

    /// A live token, fetched when the cached one is missing or within 30 s of expiry.
    ///
    /// - Throws: `ServiceCallError` when IAM cannot be reached (its circuit included) or refuses the client;
    ///   every caller that waited for that fetch gets the same error, and the next call tries again.
    public func token() async throws -> String {
        if let cached, ContinuousClock.now < cached.expiresAt { return cached.token }
        let fetch: Task<(token: String, expiresAt: ContinuousClock.Instant), any Error>
        if let inFlight {
            fetch = inFlight
        } else {
            fetches += 1
            let (credentials, http, timeout) = (credentials, http, requestTimeout)
            fetch = Task { try await Self.fetch(credentials, http: http, timeout: timeout) }
            inFlight = fetch
        }
        do {
            let fresh = try await fetch.value
            if inFlight == fetch { inFlight = nil; cached = fresh }
            return fresh.token
        } catch {
            if inFlight == fetch { inFlight = nil }
            throw error
        }
    }

    private static func fetch(_ credentials: Credentials, http: ServiceHTTPClient,
                              timeout: Duration) async throws -> (token: String, expiresAt: ContinuousClock.Instant) {
        let form = [("grant_type", "client_credentials"), ("client_id", credentials.clientId),
                    ("client_secret", credentials.clientSecret), ("scope", credentials.scope)]
            .map { "\($0)=\(formEncode($1))" }.joined(separator: "&")
        let reply = try await http.execute(.POST, credentials.tokenURL,
                                           headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                           body: ByteBuffer(string: form), timeout: timeout)
        guard reply.status == 200,
              let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(reply.body.readableBytesView)) else {
            throw ServiceCallError.unavailable(url: credentials.tokenURL, reason: "token request answered HTTP \(reply.status)")
        }
        let lifetime = max(0, answer.expiresIn - 30)
        return (answer.accessToken, ContinuousClock.now + .seconds(lifetime))
    }

    /// Forgets the cached token (the callee refused it: expired early, or IAM rotated its keys).
    public func invalidate() {
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
