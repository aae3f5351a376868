import Contracts
import Foundation
import ServiceKit

extension IAMError: APIErrorConvertible {
    /// The answer a client sees for each domain failure. Wrong password and unknown email share one
    /// message; lock and disable states are only told after the password was verified.
    public var apiError: APIError {
        switch self {
        case .validation(let errors):
            .validation(errors)
        case .emailTaken:
            .conflict("An account with this email already exists")
        case .invalidCredentials:
            APIError(.unauthorized, "Invalid email or password")
        case .accountLocked(let until):
            .forbidden(until.map { "Account is locked until \(Timestamp.format($0))" } ?? "Account is locked; contact an administrator")
        case .accountDisabled:
            .forbidden("Account is disabled; contact an administrator")
        case .accountExpired:
            .forbidden("Account has expired; contact an administrator")
        case .credentialsExpired:
            .forbidden("Password has expired; reset it")
        case .invalidRefreshToken:
            APIError(.unauthorized, "Invalid or expired refresh token; log in again")
        case .refreshTokenReused:
            APIError(.unauthorized, "Refresh token already used; the session was revoked, log in again")
        case .invalidAccessToken:
            .unauthorized("Invalid access token")
        case .notFound(let what):
            .notFound("\(what.prefix(1).uppercased() + what.dropFirst()) not found")
        case .invalidClient:
            APIError(.unauthorized, "Invalid client credentials")
        case .invalidScope(let scope):
            .badRequest("Scope not allowed: \(scope)")
        case .unsupportedGrant(let grant):
            .badRequest("Unsupported grant type: \(grant)")
        case .versionConflict(let current):
            .conflict("The user was changed meanwhile (current version \(current)); reload and retry")
        case .lastAdmin:
            .unprocessable("The last administrator cannot be demoted, disabled or locked")
        case .configuration, .internalFailure:
            .internalError
        }
    }

    /// RFC 6749 §5.2 error code and status for the token endpoint.
    var oauthError: (status: Int, code: String, description: String) {
        switch self {
        case .invalidCredentials, .accountLocked, .accountDisabled, .accountExpired, .credentialsExpired,
             .invalidRefreshToken, .refreshTokenReused:
            (400, "invalid_grant", String(describing: self))
        case .invalidClient:
            (401, "invalid_client", "client authentication failed")
        case .invalidScope(let scope):
            (400, "invalid_scope", "scope not allowed: \(scope)")
        case .unsupportedGrant(let grant):
            (400, "unsupported_grant_type", "unsupported grant type: \(grant)")
        case .validation(let errors):
            (400, "invalid_request", errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
        default:
            (500, "server_error", "internal error")
        }
    }
}
