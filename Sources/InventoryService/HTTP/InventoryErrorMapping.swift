import ServiceKit

extension InventoryError: APIErrorConvertible {
    /// The answer a client sees for each domain failure (API.md §5).
    public var apiError: APIError {
        switch self {
        case .warehouseNotFound:
            .notFound("Warehouse not found")
        case .productNotFound:
            .notFound("Product not found")
        case .reservationNotFound:
            .notFound("Reservation not found")
        case .warehouseCodeTaken(let code):
            APIError(.conflict, "A warehouse with code \(code) exists", errors: [FieldError(field: "code", message: "is taken")])
        case .versionConflict(let what, let current):
            APIError(.conflict, "The \(what) was changed meanwhile (current version \(current)); reload and retry",
                     errors: [FieldError(field: "version", message: "is stale; the current version is \(current)")])
        case .unknownWarehouse(_, let field):
            .unprocessable("The warehouse does not exist", errors: [FieldError(field: field, message: "names no warehouse")])
        case .onHandBelowReserved(_, _, let onHand, let reserved):
            .unprocessable("On hand would fall below reserved (\(onHand) < \(reserved))",
                           errors: [FieldError(field: "onHand", message: "would be \(onHand), below the \(reserved) reserved")])
        case .insufficientStock(let shortages):
            APIError(.conflict, "Insufficient stock; nothing was reserved", errors: shortages.map {
                FieldError(field: "lines[\($0.index)].quantity",
                           message: "productId \($0.productId): requested \($0.requested), available \($0.available)")
            })
        case .reservationLinesDiffer:
            .unprocessable("This order already has a reservation with other lines",
                           errors: [FieldError(field: "lines", message: "differ from the order's existing reservation")])
        case .internalFailure:
            .internalError
        }
    }
}
