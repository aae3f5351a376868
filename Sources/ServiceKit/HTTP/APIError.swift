import Hummingbird
import HTTPTypes

/// One message about one input field, as listed in an error envelope's `errors`.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// An error meant for the client: its status, a message safe to show, and field errors. Everything a
/// handler throws that is not an `APIError` becomes a 500 whose message reveals nothing internal.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var errors: [FieldError]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public static func badRequest(_ message: String, errors: [FieldError] = []) -> APIError {
        APIError(.badRequest, message, errors: errors)
    }

    /// 400 with one message per invalid field.
    public static func validation(_ errors: [FieldError]) -> APIError {
        APIError(.badRequest, "Validation failed", errors: errors)
    }

    public static func unauthorized(_ message: String = "Authentication required") -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(_ message: String = "You are not allowed to do this") -> APIError {
        APIError(.forbidden, message)
    }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }
    public static func unprocessable(_ message: String, errors: [FieldError] = []) -> APIError {
        APIError(.unprocessableContent, message, errors: errors)
    }

    public static func tooManyRequests(retryAfterSeconds: Int) -> APIError {
        APIError(.tooManyRequests, "Too many requests; retry after \(retryAfterSeconds) s",
                 headers: [.retryAfter: String(retryAfterSeconds)])
    }

    public static func serviceUnavailable(_ message: String) -> APIError { APIError(.serviceUnavailable, message) }

    public static let internalError = APIError(.internalServerError, "Internal server error")
}
