import ServiceKit

extension OrderError: APIErrorConvertible {
    /// What a client sees. Unknown and other users' orders get the same 404; storage trouble is a 500 that
    /// names nothing.
    public var apiError: APIError {
        switch self {
        case .orderNotFound:
            .notFound("Not found")
        case .productNotFound:
            .notFound("Product not found")
        case .productUnavailable(let productId, let reason):
            .unprocessable("A product cannot be sold: \(reason)", errors: [FieldError(field: "items[\(productId)]", message: reason)])
        case .cartFull(let limit):
            .unprocessable("The cart already has \(limit) lines", errors: [FieldError(field: "cart", message: "has \(limit) lines already")])
        case .cartEmpty:
            .unprocessable("The cart is empty", errors: [FieldError(field: "cart", message: "has no items")])
        case .addressNotInBook(let field, _):
            .unprocessable("The address is not in your address book", errors: [FieldError(field: field, message: "is not one of your addresses")])
        case .accountDisabled:
            .forbidden("Your account is disabled")
        case .conflict(_, _, let message):
            .conflict(message)
        case .unpriceable(let reason):
            .unprocessable("The cart cannot be priced: \(reason)", errors: [FieldError(field: "cart", message: reason)])
        case .dependencyUnavailable(let service, _):
            .serviceUnavailable("The \(service) service cannot be reached; try again shortly")
        case .corruptRow, .versionConflict:
            .internalError
        }
    }
}
