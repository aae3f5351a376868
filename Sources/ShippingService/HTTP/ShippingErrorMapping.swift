import ServiceKit

extension ShippingError: APIErrorConvertible {
    /// The answer a client sees for each domain failure. Unknown, malformed and other users' ids share
    /// one message, so ids cannot be probed.
    public var apiError: APIError {
        switch self {
        case .validation(let errors):
            .validation(errors)
        case .notFound:
            .notFound("Not found")
        case .destinationRefused(let country, _):
            .unprocessable("The carrier does not deliver to \(country)",
                           errors: [FieldError(field: "shipTo.country", message: "is not served by the carrier")])
        case .orderCancelled:
            .unprocessable("The order's shipment was cancelled; nothing will be shipped for it",
                           errors: [FieldError(field: "orderId", message: "has a cancelled shipment")])
        case .transitionNotAllowed(_, let from, let finalFailure, let to):
            .conflict("A \(to.rawValue) event cannot follow \(from.rawValue)\(finalFailure ? " (final)" : "")")
        case .carrierEventIdTaken:
            APIError(.conflict, "This carrierEventId was already used for another shipment",
                     errors: [FieldError(field: "carrierEventId", message: "belongs to another shipment")])
        case .corruptRow:
            .internalError
        }
    }
}
