import Crypto
import Foundation
import ServiceKit
import JWTKit

/// IAM's ES256 signing keys: persisted in SQLite, the newest signs, retired ones stay published in the
/// JWKS until every token they signed has expired (`retiredAt + accessTokenTTL + leeway`), then are
/// deleted. Rotation happens on its own when the current key reaches `signingKeyRotationAge`, checked
/// whenever a token is signed or the JWKS is read, or on demand with `rotate()`.
public actor SigningKeyRing {
    private let store: IAMStore
    private let configuration: IAMConfiguration
    private let clock: ServiceClock
    private var keys: [StoredSigningKey] = []
    private var collection = JWTKeyCollection()

    public init(store: IAMStore, configuration: IAMConfiguration, clock: ServiceClock = .system) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// How long a retired key stays published.
    var retention: TimeInterval { configuration.accessTokenTTL + configuration.signingKeyRetentionLeeway }

    /// Loads the stored keys, creating the first key or rotating/pruning when due. Call once at startup.
    public func load() async throws {
        try await apply(force: false)
    }

    /// Makes a new key the signer now; the old one stays published for one token lifetime.
    public func rotate() async throws {
        try await apply(force: true)
    }

    /// The kid of the key that signs new tokens.
    public func currentKid() async throws -> String {
        try await refreshIfDue()
        guard let current = keys.first(where: { $0.retiredAt == nil }) else {
            throw IAMError.internalFailure("no current signing key")
        }
        return current.kid
    }

    /// Signs with the current key; the header carries `kid`, `alg: ES256` and `typ: JWT`.
    public func sign(_ payload: some JWTPayload) async throws -> String {
        let kid = try await currentKid()
        return try await collection.sign(payload, kid: JWKIdentifier(string: kid), header: ["typ": .string("JWT")])
    }

    /// Verifies a token's signature against the published keys (by `kid`) and decodes it.
    public func verify<Payload: JWTPayload>(_ token: String, as type: Payload.Type) async throws -> Payload {
        try await refreshIfDue()
        return try await collection.verify(token, as: type)
    }

    /// The published public keys, current first.
    public func jwks() async throws -> JWKSDocument {
        try await refreshIfDue()
        return JWKSDocument(keys: try keys.map(Self.publicJWK))
    }

    /// `{"keys":[{"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"alg":"ES256","use":"sig"}]}`.
    public func jwksJSON() async throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(try await jwks()), as: UTF8.self)
    }

    /// The kids currently published (current first).
    public func publishedKids() async throws -> [String] {
        try await refreshIfDue()
        return keys.map(\.kid)
    }

    // MARK: - Internals

    /// Goes to the database only when the in-memory view says a rotation or a prune is due.
    private func refreshIfDue() async throws {
        let now = clock.now()
        let current = keys.first { $0.retiredAt == nil }
        let rotationDue = current.map { $0.createdAt.addingTimeInterval(configuration.signingKeyRotationAge) <= now } ?? true
        let pruneDue = keys.contains { key in key.retiredAt.map { $0.addingTimeInterval(retention) <= now } ?? false }
        if rotationDue || pruneDue { try await apply(force: false) }
    }

    private func apply(force: Bool) async throws {
        let privateKey = ES256PrivateKey()
        guard let candidateKid = Self.thumbprint(of: privateKey) else {
            throw IAMError.internalFailure("cannot compute a key id for a new P-256 key")
        }
        let candidate = StoredSigningKey(
            kid: candidateKid, algorithm: "ES256", privateKeyPEM: privateKey.pemRepresentation, createdAt: clock.now(),
            retiredAt: nil)
        let stored = try await store.rotateSigningKeys(
            now: clock.now(), rotationAge: configuration.signingKeyRotationAge, retention: retention,
            candidate: candidate, force: force)
        // A fresh collection: jwt-kit cannot remove keys, and pruned keys must stop verifying.
        let fresh = JWTKeyCollection()
        for key in stored {
            let parsed = try Self.parse(key)
            if key.retiredAt == nil {
                await fresh.add(ecdsa: parsed, kid: JWKIdentifier(string: key.kid))
            } else {
                await fresh.add(ecdsa: parsed.publicKey, kid: JWKIdentifier(string: key.kid))  // verify only
            }
        }
        keys = stored
        collection = fresh
    }

    static func parse(_ key: StoredSigningKey) throws -> ES256PrivateKey {
        guard key.algorithm == "ES256" else {
            throw IAMError.internalFailure("signing key \(key.kid) has unsupported algorithm \(key.algorithm)")
        }
        do {
            return try ES256PrivateKey(pem: key.privateKeyPEM)
        } catch {
            throw IAMError.internalFailure("signing key \(key.kid) is unreadable")
        }
    }

    static func publicJWK(_ key: StoredSigningKey) throws -> JWKSDocument.Key {
        guard let parameters = try parse(key).parameters else {
            throw IAMError.internalFailure("signing key \(key.kid) has no public parameters")
        }
        return JWKSDocument.Key(kty: "EC", crv: "P-256", x: parameters.x, y: parameters.y, kid: key.kid, alg: "ES256",
                                use: "sig")
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url): a stable kid derived from the public key itself.
    static func thumbprint(of key: ES256PrivateKey) -> String? {
        guard let p = key.parameters else { return nil }
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(p.x)","y":"\#(p.y)"}"#
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }
}

/// The JWKS document served at `/.well-known/jwks.json`.
public struct JWKSDocument: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var kty: String
        public var crv: String
        public var x: String
        public var y: String
        public var kid: String
        public var alg: String
        public var use: String
    }

    public var keys: [Key]
}
