import Foundation

/// IAM's domain settings. Every field has a default that works on one machine; the service's config
/// loader fills them from the environment.
public struct IAMConfiguration: Sendable {
    /// The `iss` claim and the OpenID issuer.
    public var issuer: String = "http://127.0.0.1:8081"
    /// The `aud` claim every access token carries; resource services check it.
    public var audience: String = "shop"
    /// Access-token lifetime. Also how long a retired signing key stays in the JWKS.
    public var accessTokenTTL: TimeInterval = 15 * 60
    /// Refresh-token lifetime; each rotation issues a token with a fresh lifetime.
    public var refreshTokenTTL: TimeInterval = 30 * 24 * 3600
    /// The current signing key is replaced once it is this old.
    public var signingKeyRotationAge: TimeInterval = 30 * 24 * 3600
    /// Extra time a retired key stays published beyond `accessTokenTTL` (verifiers' clock skew).
    public var signingKeyRetentionLeeway: TimeInterval = 60
    /// Consecutive failed logins that trigger an automatic lockout.
    public var lockoutThreshold: Int = 5
    /// How long an automatic lockout lasts.
    public var lockoutDuration: TimeInterval = 15 * 60
    /// Password policy.
    public var passwordPolicy: PasswordPolicy = PasswordPolicy()
    /// argon2id cost.
    public var passwordHashing: PasswordHasher.Parameters = .owaspDefault

    public init() {}
}
