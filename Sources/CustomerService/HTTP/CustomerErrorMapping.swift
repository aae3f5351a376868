import ServiceKit

extension CustomerError: APIErrorConvertible {
    /// What a client sees. Another user's address and an unknown one share one answer ("Not found").
    public var apiError: APIError {
        switch self {
        case .validation(let errors):
            .validation(errors)
        case .customerNotFound:
            .notFound("Customer not found")
        case .addressNotFound:
            .notFound("Not found")
        case .versionConflict(let resource, let current):
            .conflict("The \(resource) was changed meanwhile (current version \(current)); reload and retry")
        case .addressBookFull(let limit):
            .unprocessable("The address book already holds \(limit) addresses; delete one first",
                           errors: [FieldError(field: "addresses", message: "at most \(limit) addresses")])
        case .accountDisabled:
            .forbidden("This account is disabled; its profile and addresses cannot be changed. Contact support.")
        }
    }
}
