import Foundation
import ServiceKit

/// IAM's own settings (`IAM_*`). Every field has a default that works on one machine; `init(config:environment:)`
/// reads them, and an unparsable or out-of-range value is an error naming the variable.
public struct IAMConfiguration: Sendable {
    /// The `iss` claim and the OpenID issuer (`JWT_ISSUER`).
    public var issuer: String = ServiceCatalogue.localURL(of: "iam") ?? "http://127.0.0.1:8081"
    /// The `aud` claim every access token carries; resource services check it (`JWT_AUDIENCE`).
    public var audience: String = "shop"
    /// `IAM_ACCESS_TOKEN_TTL_SECONDS`. Also how long a retired signing key stays in the JWKS.
    public var accessTokenTTL: TimeInterval = 15 * 60
    /// `IAM_REFRESH_TOKEN_TTL_SECONDS`; each rotation issues a token with a fresh lifetime.
    public var refreshTokenTTL: TimeInterval = 30 * 24 * 3600
    /// `IAM_KEY_ROTATION_SECONDS`: the current signing key is replaced once it is this old.
    public var signingKeyRotationAge: TimeInterval = 30 * 24 * 3600
    /// Extra time a retired key stays published beyond `accessTokenTTL` (verifiers' clock skew).
    public var signingKeyRetentionLeeway: TimeInterval = 60
    /// `IAM_LOCKOUT_THRESHOLD`: consecutive failed logins that trigger an automatic lockout.
    public var lockoutThreshold: Int = 5
    /// `IAM_LOCKOUT_SECONDS`: how long an automatic lockout lasts.
    public var lockoutDuration: TimeInterval = 15 * 60
    /// `IAM_LOGIN_RATE_BURST` and `IAM_LOGIN_RATE_PER_MINUTE`: credential requests per client address
    /// (the address the gateway forwards, see `TRUSTED_PROXIES`).
    public var loginRateBurst: Int = 10
    public var loginRatePerMinute: Int = 60
    /// `IAM_ACCOUNT_FAILED_LOGIN_BURST` and `IAM_ACCOUNT_FAILED_LOGIN_PER_MINUTE`: failed logins per account
    /// (email), whatever address they come from; past it the account's logins get 429 for a while instead
    /// of feeding the lockout counter, so guessing from many addresses is slowed without locking the owner out.
    public var accountFailedLoginBurst: Int = 10
    public var accountFailedLoginPerMinute: Int = 5
    /// `IAM_REFRESH_PRUNE_SECONDS`: how often expired refresh-token sessions are deleted.
    public var refreshPruneInterval: Duration = .seconds(3600)
    /// `IAM_SERVICE_CLIENTS`: client_credentials clients, `client_id:secret[:scope scope…]`, comma-separated.
    public var serviceClients: [ServiceClient] = []
    /// Password policy.
    public var passwordPolicy: PasswordPolicy = PasswordPolicy()
    /// argon2id cost.
    public var passwordHashing: PasswordHasher.Parameters = .owaspDefault

    public struct ServiceClient: Sendable, Equatable {
        public var id: String
        public var secret: String
        public var scopes: [String]
    }

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(config: ServiceConfig, environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        issuer = config.jwtIssuer
        audience = config.jwtAudience
        accessTokenTTL = TimeInterval(try env.int("IAM_ACCESS_TOKEN_TTL_SECONDS", default: 900, range: 30...86_400))
        refreshTokenTTL = TimeInterval(try env.int("IAM_REFRESH_TOKEN_TTL_SECONDS", default: 30 * 86_400, range: 60...(365 * 86_400)))
        signingKeyRotationAge = TimeInterval(try env.int("IAM_KEY_ROTATION_SECONDS", default: 30 * 86_400, range: 60...(365 * 86_400)))
        lockoutThreshold = try env.int("IAM_LOCKOUT_THRESHOLD", default: 5, range: 1...1000)
        lockoutDuration = TimeInterval(try env.int("IAM_LOCKOUT_SECONDS", default: 900, range: 1...(30 * 86_400)))
        loginRateBurst = try env.int("IAM_LOGIN_RATE_BURST", default: 10, range: 1...100_000)
        loginRatePerMinute = try env.int("IAM_LOGIN_RATE_PER_MINUTE", default: 60, range: 1...1_000_000)
        accountFailedLoginBurst = try env.int("IAM_ACCOUNT_FAILED_LOGIN_BURST", default: 10, range: 1...100_000)
        accountFailedLoginPerMinute = try env.int("IAM_ACCOUNT_FAILED_LOGIN_PER_MINUTE", default: 5, range: 1...1_000_000)
        refreshPruneInterval = .seconds(try env.int("IAM_REFRESH_PRUNE_SECONDS", default: 3600, range: 10...(7 * 86_400)))
        serviceClients = try Self.serviceClients(env.optional("IAM_SERVICE_CLIENTS"))
    }

    /// Every variable `init(config:environment:)` reads, plus the admin seeding ones (`AdminSeedConfiguration`).
    public static let settingNames = [
        "IAM_ACCESS_TOKEN_TTL_SECONDS", "IAM_REFRESH_TOKEN_TTL_SECONDS", "IAM_KEY_ROTATION_SECONDS", "IAM_LOCKOUT_THRESHOLD",
        "IAM_LOCKOUT_SECONDS", "IAM_LOGIN_RATE_BURST", "IAM_LOGIN_RATE_PER_MINUTE", "IAM_ACCOUNT_FAILED_LOGIN_BURST",
        "IAM_ACCOUNT_FAILED_LOGIN_PER_MINUTE", "IAM_REFRESH_PRUNE_SECONDS", "IAM_SERVICE_CLIENTS",
        "IAM_ADMIN_EMAIL", "IAM_ADMIN_PASSWORD",
    ]

    static func serviceClients(_ value: String?) throws -> [ServiceClient] {
        guard let value else { return [] }
        return try value.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigError.invalid(name: "IAM_SERVICE_CLIENTS", value: String(entry), expected: "client_id:secret[:scope scope…]")
            }
            let scopes = parts.count > 2 ? parts[2].split(separator: " ").map(String.init) : []
            return ServiceClient(id: parts[0], secret: parts[1], scopes: scopes)
        }
    }
}
