import Foundation
import Logging
import ServiceKit

/// Where the payment service learns about an order: its own projection of `order.order.v1`, and, when
/// that does not show the order payable, the order service itself (API.md §1.9: a projection miss is not an
/// error where the owner can be asked). No read-through configured: the projection's answer stands.
struct OrderDirectory: Sendable {
    let store: PaymentStore
    /// nil when no order service or no client credentials are configured.
    let readThrough: OrderServiceClient?
    let logger: Logger

    /// The order as best known: the projection when it says `AWAITING_PAYMENT`, else the order service's
    /// answer, else the projection (possibly nil) when there is no read-through or it shows a final status.
    ///
    /// - Throws: `PaymentError.orderUnconfirmed` when the projection is inconclusive (unknown, or still
    ///   reserving) and the order service cannot be asked: a 404 or 409 then would state as fact what only the
    ///   projection's lag says.
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
            logger.warning("order read-through failed", metadata: ["order_id": "\(id)", "projected": "\(projected?.status ?? "unknown")",
                                                                   "error": "\(error)"])
            if let projected, PayableOrder.final.contains(projected.status) { return projected }
            throw PaymentError.orderUnconfirmed(orderId: id, projected: projected?.status, reason: "\(error)")
        }
    }
}
