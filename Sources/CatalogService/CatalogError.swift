import Contracts
import Foundation
import ServiceKit

/// Every failure of the catalog's domain core, one documented case each with its HTTP status.
/// `CatalogErrorMapping.swift` decides what the client sees; `description` is the log text.
public enum CatalogError: Error, Sendable, Equatable {
    /// 400: the input breaks a rule; one message per field.
    case validation([FieldError])
    /// 400: a PATCH whose fields all equal the current values (or that names none).
    case nothingToChange
    /// 400: a list cursor that is damaged or was issued for another query (filters, sort, scope).
    case invalidCursor
    /// 403: a non-admin asked to list products whose status is not `ACTIVE`.
    case statusNotListable(ProductStatus)
    /// 403: the caller has no delivered order containing the product (`verified_purchase`).
    case notVerifiedPurchase
    /// 404: no such product, or a draft the caller may not see, or a malformed id.
    case productNotFound
    /// 404: no such category, or a malformed id.
    case categoryNotFound
    /// 404: no such published review of the product.
    case reviewNotFound
    /// 409: another product has this SKU (compared case-insensitively).
    case skuTaken(String)
    /// 409: optimistic concurrency; the caller's `version` is not the current one.
    case versionConflict(what: String, current: Int)
    /// 409: a sibling category already has this name (case-insensitively).
    case siblingNameTaken(String)
    /// 409: a category with children or products cannot be deleted.
    case categoryNotEmpty(children: Int, products: Int)
    /// 409: the caller already reviewed this product.
    case alreadyReviewed
    /// 422: `categoryIds` names categories that do not exist.
    case unknownCategories([String])
    /// 422: `parentId` names a category that does not exist.
    case unknownParent(String)
    /// 422: the new parent is the category itself or one of its descendants.
    case categoryCycle
    /// 422: the category (or the deepest of a moved subtree) would sit deeper than allowed.
    case categoryTooDeep(maximum: Int)
    /// 422: a price in another currency than `SHOP_CURRENCY`.
    case currencyNotAccepted(given: String, accepted: Currency)
    /// 422: the status transition is not in the table (DRAFT→ACTIVE, ACTIVE↔DISCONTINUED).
    case statusChangeNotAllowed(from: ProductStatus, to: ProductStatus)
}

extension CatalogError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .validation(let errors): "validation failed: " + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .nothingToChange: "the change names no field that differs from the current value"
        case .invalidCursor: "the cursor is damaged or belongs to another query"
        case .statusNotListable(let status): "only administrators may list \(status.rawValue) products"
        case .notVerifiedPurchase: "no delivered order of the product for this user"
        case .productNotFound: "product not found"
        case .categoryNotFound: "category not found"
        case .reviewNotFound: "review not found"
        case .skuTaken(let sku): "a product with SKU \(sku) exists"
        case .versionConflict(let what, let current): "\(what) version conflict (current version \(current))"
        case .siblingNameTaken(let name): "a sibling category is named \(name)"
        case .categoryNotEmpty(let children, let products): "category has \(children) children and \(products) products"
        case .alreadyReviewed: "the user already reviewed this product"
        case .unknownCategories(let ids): "unknown categories: \(ids.joined(separator: ", "))"
        case .unknownParent(let id): "unknown parent category \(id)"
        case .categoryCycle: "a category cannot move under itself or one of its descendants"
        case .categoryTooDeep(let maximum): "categories nest at most \(maximum) levels deep"
        case .currencyNotAccepted(let given, let accepted): "currency \(given) is not accepted (only \(accepted.code))"
        case .statusChangeNotAllowed(let from, let to): "status change \(from.rawValue) → \(to.rawValue) is not allowed"
        }
    }
}
