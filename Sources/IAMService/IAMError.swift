import Contracts
import Foundation
import ServiceKit

/// Every failure of IAM's domain core. The HTTP layer maps each case to a status and a message; the cases
/// carry only what may be shown to the caller (no hashes, no SQL, no whether-an-email-exists).
public enum IAMError: Error, Sendable, Equatable {
    /// 400: the input breaks a rule; one message per field.
    case validation([FieldError])
    /// 409: an account with this email (compared case-insensitively) exists.
    case emailTaken
    /// 401: unknown email or wrong password; the two are deliberately indistinguishable.
    case invalidCredentials
    /// 423/403: the password was right but the account is locked. `until` is nil for an admin lock
    /// (indefinite) and the end of the lockout for an automatic one.
    case accountLocked(until: Date?)
    /// 403: the password was right but an admin disabled the account.
    case accountDisabled
    /// 403: the password was right but the account has expired.
    case accountExpired
    /// 403: the password was right but must be changed first.
    case credentialsExpired
    /// 401 (OAuth2 `invalid_grant`): unknown, expired or revoked refresh token.
    case invalidRefreshToken
    /// 401 (OAuth2 `invalid_grant`): a refresh token that was already rotated was presented again; the
    /// whole family has been revoked.
    case refreshTokenReused
    /// 401: an access token that does not verify (signature, issuer, audience, expiry).
    case invalidAccessToken(reason: String)
    /// 404: no such entity (`what` is e.g. "user").
    case notFound(String)
    /// 401 (OAuth2 `invalid_client`): unknown client, wrong secret or disabled client.
    case invalidClient
    /// 400 (OAuth2 `invalid_scope`): a requested scope the client may not have.
    case invalidScope(String)
    /// 400 (OAuth2 `unsupported_grant_type`).
    case unsupportedGrant(String)
    /// 409: optimistic concurrency; the entity changed since the caller read it.
    case versionConflict(current: Int)
    /// 409: the change would leave no enabled, unlocked administrator.
    case lastAdmin
    /// Startup: the configuration cannot work (e.g. production without an admin password).
    case configuration(String)
    /// 500: a failure inside IAM that the caller cannot fix (hashing failed, a stored key is unreadable).
    case internalFailure(String)
}

extension IAMError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .validation(let errors): "validation failed: " + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .emailTaken: "an account with this email already exists"
        case .invalidCredentials: "invalid email or password"
        case .accountLocked(let until): until.map { "account locked until \(Timestamp.format($0))" } ?? "account locked"
        case .accountDisabled: "account disabled"
        case .accountExpired: "account expired"
        case .credentialsExpired: "password expired"
        case .invalidRefreshToken: "invalid refresh token"
        case .refreshTokenReused: "refresh token reused; the session has been revoked"
        case .invalidAccessToken(let reason): "invalid access token: \(reason)"
        case .notFound(let what): "\(what) not found"
        case .invalidClient: "invalid client"
        case .invalidScope(let scope): "scope not allowed: \(scope)"
        case .unsupportedGrant(let grant): "unsupported grant type: \(grant)"
        case .versionConflict(let current): "version conflict (current version \(current))"
        case .lastAdmin: "the last administrator cannot be demoted, disabled or locked"
        case .configuration(let message): "IAM configuration: \(message)"
        case .internalFailure(let message): "IAM internal failure: \(message)"
        }
    }
}
