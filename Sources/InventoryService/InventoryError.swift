import Foundation
import ServiceKit

/// Every failure of inventory's domain. `apiError` (HTTP/InventoryErrorMapping.swift) decides what a
/// client sees; `description` is the log text.
public enum InventoryError: Error, Sendable, Equatable {
    /// 404: no warehouse with this id (in a path).
    case warehouseNotFound(id: String)
    /// 404: inventory neither stocks nor knows (from `ProductCreated`) this product.
    case productNotFound(id: String)
    /// 404: no reservation for this order.
    case reservationNotFound(orderId: String)
    /// 409: a warehouse with this code exists.
    case warehouseCodeTaken(code: String)
    /// 409: optimistic concurrency; `what` changed since the caller read it (`current` is its version now).
    case versionConflict(what: String, current: Int)
    /// 422: a body names a warehouse that does not exist (`field` is where).
    case unknownWarehouse(id: String, field: String)
    /// 422: the change would leave `onHand` below `reserved` (or below zero).
    case onHandBelowReserved(productId: String, warehouseId: String, onHand: Int, reserved: Int)
    /// 409: not every line can be covered; nothing was reserved.
    case insufficientStock([Shortage])
    /// 422: the order already has a reservation (or a rejection) for other lines.
    case reservationLinesDiffer(orderId: String)
    /// 500: a stock row kept changing under the allocation (bounded retries exhausted), or a stored row is
    /// unreadable. Not the caller's fault; the transaction rolled back.
    case internalFailure(String)

    /// One line that cannot be covered.
    public struct Shortage: Sendable, Equatable, Codable {
        /// The line's index in the request.
        public var index: Int
        public var productId: String
        public var requested: Int
        public var available: Int
    }
}

extension InventoryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .warehouseNotFound(let id): "warehouse \(id) not found"
        case .productNotFound(let id): "product \(id) is neither stocked nor known"
        case .reservationNotFound(let orderId): "no reservation for order \(orderId)"
        case .warehouseCodeTaken(let code): "warehouse code \(code) exists"
        case .versionConflict(let what, let current): "\(what) changed meanwhile (current version \(current))"
        case .unknownWarehouse(let id, _): "warehouse \(id) does not exist"
        case .onHandBelowReserved(let productId, let warehouseId, let onHand, let reserved):
            "on hand \(onHand) of product \(productId) in warehouse \(warehouseId) would fall below reserved \(reserved)"
        case .insufficientStock(let shortages):
            "insufficient stock: " + shortages.map { "\($0.productId) requested \($0.requested), available \($0.available)" }.joined(separator: "; ")
        case .reservationLinesDiffer(let orderId): "order \(orderId) already has a reservation with other lines"
        case .internalFailure(let message): "inventory internal failure: \(message)"
        }
    }
}
