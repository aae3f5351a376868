import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore

/// Where a verifier gets the signer's public keys: IAM's JWKS over HTTP, or (inside IAM) its own key store.
public struct JWKSSource: Sendable {
    public let description: String
    public let fetch: @Sendable () async throws -> String

    public init(description: String, fetch: @escaping @Sendable () async throws -> String) {
        self.description = description
        self.fetch = fetch
    }

    /// Generous: a request that brought an unknown `kid` waits for this fetch, and a busy IAM (or a
    /// stalled event loop) must not turn a valid token into a 401.
    public static func http(_ url: String, timeout: TimeAmount = .seconds(10)) -> JWKSSource {
        JWKSSource(description: url) {
            let request = HTTPClientRequest(url: url)
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            guard response.status.code == 200 else {
                throw JWTVerifierError.jwksUnavailable(source: url, reason: "HTTP \(response.status.code)")
            }
            return String(buffer: try await response.body.collect(upTo: 1 << 20))
        }
    }
}

public enum JWTVerifierError: Error, CustomStringConvertible {
    case jwksUnavailable(source: String, reason: String)

    public var description: String {
        switch self {
        case .jwksUnavailable(let source, let reason): "cannot load the JWKS from \(source): \(reason)"
        }
    }
}

/// Verifies access tokens against a JWKS: signature (ES256/RS256 keys from the set), issuer, audience,
/// expiry and issued-at with a small leeway. The key set is cached; a token with an unknown `kid` triggers
/// one refresh, at most once per `minimumRefreshInterval`, so a flood of forged kids cannot hammer IAM.
public actor JWTVerifier {
    public let issuer: String
    public let audience: String
    public let leeway: TimeInterval
    private let source: JWKSSource
    private let minimumRefreshInterval: Duration
    private let logger: Logger
    private var keys = JWTKeyCollection()
    private var knownKids: Set<String> = []
    private var lastRefresh: ContinuousClock.Instant?
    /// After a failed fetch the next request may try again this soon (IAM restarting must not lock
    /// tokens out for the whole `minimumRefreshInterval`).
    private let retryAfterFailure: Duration = .seconds(1)
    private var lastRefreshFailed = false
    private var refreshInFlight: Task<Void, any Error>?

    public init(source: JWKSSource, issuer: String, audience: String, leeway: TimeInterval = 30,
                minimumRefreshInterval: Duration = .seconds(10), logger: Logger = Logger(label: "jwt-verifier")) {
        self.source = source
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.minimumRefreshInterval = minimumRefreshInterval
        self.logger = logger
    }

    /// The principal of a valid token, or 401 with a message that says what is wrong (never which key).
    public func verify(_ token: String, now: Date = Date()) async throws -> Principal {
        guard let kid = Self.keyId(of: token) else { throw APIError.unauthorized("Malformed bearer token") }
        if !knownKids.contains(kid) {
            try? await refreshIfAllowed()
            guard knownKids.contains(kid) else { throw APIError.unauthorized("Token signed by an unknown key") }
        }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw APIError.unauthorized("Invalid or expired token")
        }
        guard claims.iss.value == issuer else { throw APIError.unauthorized("Token from an unexpected issuer") }
        guard claims.aud.value.contains(audience) else { throw APIError.unauthorized("Token not meant for this audience") }
        guard claims.exp.value.addingTimeInterval(leeway) > now else { throw APIError.unauthorized("Token expired") }
        guard claims.iat.value.addingTimeInterval(-leeway) <= now else { throw APIError.unauthorized("Token issued in the future") }
        return claims.principal
    }

    /// Loads the key set now (at start-up, so the first request does not pay for it).
    public func refresh() async throws {
        if let refreshInFlight {
            try await refreshInFlight.value
            return
        }
        let source = self.source
        let task = Task { () throws -> Void in
            let json = try await source.fetch()
            let collection = JWTKeyCollection()
            try await collection.add(jwksJSON: json)
            let kids = try Self.kids(inJWKS: json)
            self.install(collection, kids: kids)
        }
        refreshInFlight = task
        defer { refreshInFlight = nil }
        lastRefresh = .now
        do {
            try await task.value
            lastRefreshFailed = false
        } catch {
            lastRefreshFailed = true
            logger.warning("JWKS refresh failed", metadata: ["source": "\(source.description)", "error": "\(error)"])
            throw error
        }
    }

    private func install(_ collection: JWTKeyCollection, kids: Set<String>) {
        keys = collection
        knownKids = kids
    }

    private func refreshIfAllowed() async throws {
        // A fetch already on its way (started by a request a moment ago for the same new key) is awaited,
        // not skipped as "too soon": concurrent first requests must all see its keys.
        if let refreshInFlight {
            try await refreshInFlight.value
            return
        }
        let interval = lastRefreshFailed ? min(retryAfterFailure, minimumRefreshInterval) : minimumRefreshInterval
        if let lastRefresh, ContinuousClock.now - lastRefresh < interval { return }
        try await refresh()
    }

    static func keyId(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let kid = object["kid"] as? String else { return nil }
        return kid
    }

    static func kids(inJWKS json: String) throws -> Set<String> {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]] else { return [] }
        return Set(keys.compactMap { $0["kid"] as? String })
    }
}

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
