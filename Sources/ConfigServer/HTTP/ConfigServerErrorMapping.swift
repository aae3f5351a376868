import ServiceKit

extension ConfigServerError: APIErrorConvertible {
    /// The envelope error for the client: 400 for names, 404 for labels, 503 when git timed out, 500 otherwise.
    public var apiError: APIError {
        switch self {
        case .invalidName(let field, _, let reason):
            APIError(.badRequest, description, errors: [FieldError(field: field, message: reason)])
        case .unknownLabel:
            APIError.notFound(description)
        case .invalidFile:
            APIError(.internalServerError, "Invalid configuration file: \(description)")
        case .git(.timedOut):
            APIError.serviceUnavailable(description)
        case .git:
            APIError(.internalServerError, description)
        }
    }
}
