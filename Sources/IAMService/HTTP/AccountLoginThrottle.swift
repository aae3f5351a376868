import ServiceKit

/// Failed logins per account (the normalised email), whatever address they come from: past the burst the
/// account's logins are answered 429 until the bucket refills. It slows a guesser who rotates addresses
/// (which the per-address limit cannot see) before the lockout counter would lock the owner out.
struct AccountLoginThrottle: Sendable {
    let failures: TokenBucketLimiter

    init(burst: Int, perMinute: Int) {
        failures = TokenBucketLimiter(burst: burst, perSecond: Double(perMinute) / 60)
    }

    /// nil when a login for `email` may be tried, else the seconds to wait.
    func waitBeforeTrying(_ email: String) -> Int? {
        failures.wait(for: EmailAddress.normalize(email))
    }

    /// Runs a login; a wrong password or unknown email costs the account one token.
    func attempt<T>(_ email: String, _ login: () async throws -> T) async throws -> T {
        do {
            return try await login()
        } catch IAMError.invalidCredentials {
            _ = failures.admit(EmailAddress.normalize(email))
            throw IAMError.invalidCredentials
        }
    }
}
