import ServiceKit

extension CatalogError: APIErrorConvertible {
    /// The answer a client sees for each domain failure. Unknown and hidden (draft) products share one
    /// answer, so drafts cannot be probed.
    public var apiError: APIError {
        switch self {
        case .validation(let errors):
            .validation(errors)
        case .nothingToChange:
            .badRequest("Nothing to change: send at least one field with a new value",
                        errors: [FieldError(field: "body", message: "changes nothing")])
        case .invalidCursor:
            .badRequest("The cursor is damaged or belongs to another query; start again without it",
                        errors: [FieldError(field: "cursor", message: "is invalid for this query")])
        case .statusNotListable(let status):
            .forbidden("Only administrators may list \(status.rawValue) products")
        case .notVerifiedPurchase:
            .forbidden("You can review a product only after an order containing it has been delivered to you")
        case .productNotFound:
            .notFound("Product not found")
        case .categoryNotFound:
            .notFound("Category not found")
        case .reviewNotFound:
            .notFound("Review not found")
        case .skuTaken(let sku):
            APIError(.conflict, "A product with SKU \(sku) already exists", errors: [FieldError(field: "sku", message: "is taken")])
        case .versionConflict(let what, let current):
            APIError(.conflict, "The \(what) was changed meanwhile (current version \(current)); reload and retry",
                     errors: [FieldError(field: "version", message: "is stale; the current version is \(current)")])
        case .siblingNameTaken(let name):
            APIError(.conflict, "A category named \(name) already exists at this place in the tree",
                     errors: [FieldError(field: "name", message: "is taken by a sibling")])
        case .categoryNotEmpty(let children, let products):
            .conflict("The category still has \(children) subcategories and \(products) products; move or remove them first")
        case .alreadyReviewed:
            .conflict("You already reviewed this product")
        case .unknownCategories(let ids):
            .unprocessable("Unknown categories: \(ids.joined(separator: ", "))",
                           errors: [FieldError(field: "categoryIds", message: "contains unknown categories")])
        case .unknownParent:
            .unprocessable("The parent category does not exist", errors: [FieldError(field: "parentId", message: "is unknown")])
        case .categoryCycle:
            .unprocessable("A category cannot move under itself or one of its descendants",
                           errors: [FieldError(field: "parentId", message: "would create a cycle")])
        case .categoryTooDeep(let maximum):
            .unprocessable("Categories nest at most \(maximum) levels deep",
                           errors: [FieldError(field: "parentId", message: "is too deep")])
        case .currencyNotAccepted(_, let accepted):
            .unprocessable("Prices are accepted in \(accepted.code) only",
                           errors: [FieldError(field: "price.currency", message: "must be \(accepted.code)")])
        case .statusChangeNotAllowed(let from, let to):
            .unprocessable("A \(from.rawValue) product cannot become \(to.rawValue)",
                           errors: [FieldError(field: "status", message: "change not allowed")])
        }
    }
}
