import Foundation
import Logging
import ServiceKit

/// Where the payment service learns about an order: its own projection of `order.order.v1`, and, when
/// that does not show the order payable, the order service itself (API.md §1.9). The order service being
/// down or not configured is never an error here: the projection's answer stands.
struct OrderDirectory: Sendable {
    let store: PaymentStore
    /// nil when no order service or no client credentials are configured.
    let readThrough: OrderServiceClient?
    let logger: Logger

    /// The order as best known: the projection when it says `AWAITING_PAYMENT`, else the order service's
    /// answer when it has one, else the projection (possibly nil).
    func order(id: String) async throws -> PayableOrder? {
        let projected = try await store.payableOrder(id: id)
        if let projected, projected.isAwaitingPayment { return projected }
        guard let readThrough else { return projected }
        do {
            switch try await readThrough.order(id: id) {
            case .found(let order): return order
            case .unknown: return projected
            }
        } catch {
            logger.warning("order read-through failed; answering from the projection",
                           metadata: ["order_id": "\(id)", "error": "\(error)"])
            return projected
        }
    }
}
