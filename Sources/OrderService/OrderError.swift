import Contracts
import Foundation
import ServiceKit

/// Every failure of the order service's domain. `OrderErrorMapping` decides what a client sees for each;
/// `description` is the log text and may say more.
public enum OrderError: Error, Sendable, Equatable {
    /// 404: no such order for this caller (unknown, malformed, or another user's: indistinguishable).
    case orderNotFound(orderId: String)
    /// 404: `PUT /cart/items/{productId}` for a product neither the projection nor catalog knows (or a draft).
    case productNotFound(productId: String)
    /// 422: the product is `DISCONTINUED` (cart) — or, at checkout, discontinued or unknown
    /// (`field` = `items[<productId>]`).
    case productUnavailable(productId: String, reason: String)
    /// 422: the cart already holds `limit` lines.
    case cartFull(limit: Int)
    /// 422 (`field: cart`): `POST /orders` with an empty cart.
    case cartEmpty
    /// 422: an address id that is not in the caller's address book (`field` names the body field).
    case addressNotInBook(field: String, addressId: String)
    /// 403: the caller's account is disabled (`UserAccountStatusChanged`).
    case accountDisabled(userId: String)
    /// 409: the order's state refuses the request (cancel while a payment is in flight, return before
    /// delivery, …); `message` is what the client reads.
    case conflict(orderId: String, status: OrderStatus, message: String)
    /// 422: a total beyond `Int64` minor units, or a price in another currency than `SHOP_CURRENCY`.
    case unpriceable(reason: String)
    /// 503: a projection missed and the owning service could not be asked (down, timing out, circuit open).
    case dependencyUnavailable(service: String, reason: String)
    /// 500: a stored row the service cannot read back (a bug or a damaged file).
    case corruptRow(table: String, id: String, reason: String)
    /// 500 after bounded retries: the order's `version` kept changing under a transition.
    case versionConflict(orderId: String)
}

extension OrderError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .orderNotFound(let orderId): "order \(orderId) not found for the caller"
        case .productNotFound(let productId): "product \(productId) is unknown (projection and catalog) or a draft"
        case .productUnavailable(let productId, let reason): "product \(productId) cannot be sold: \(reason)"
        case .cartFull(let limit): "the cart already has \(limit) lines"
        case .cartEmpty: "the cart is empty"
        case .addressNotInBook(let field, let addressId): "\(field) \(addressId) is not in the caller's address book"
        case .accountDisabled(let userId): "account \(userId) is disabled"
        case .conflict(let orderId, let status, let message): "order \(orderId) is \(status.rawValue): \(message)"
        case .unpriceable(let reason): "the cart cannot be priced: \(reason)"
        case .dependencyUnavailable(let service, let reason): "\(service) could not be asked: \(reason)"
        case .corruptRow(let table, let id, let reason): "unreadable \(table) row \(id): \(reason)"
        case .versionConflict(let orderId): "order \(orderId) kept changing under a transition"
        }
    }
}
