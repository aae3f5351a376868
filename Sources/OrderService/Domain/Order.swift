import Contracts
import Foundation

/// An order as the API shows it (API.md §4.2): the saga instance plus what the saga never changes.
public struct Order: Sendable, Equatable {
    /// One entry of `statusHistory`.
    public struct HistoryEntry: Sendable, Equatable {
        public var status: OrderStatus
        public var at: Date
        public var reason: String?
    }

    public var saga: SagaOrder
    public var subtotal: Money
    public var customer: CustomerSnapshot
    public var billingAddress: AddressSnapshot
    public var placedAt: Date
    public var updatedAt: Date
    public var history: [HistoryEntry]

    public var id: String { saga.id }
    public var itemCount: Int { saga.lines.reduce(0) { $0 + $1.quantity } }
}

/// An order in a list (API.md §4.2's OrderSummary).
public struct OrderSummary: Sendable, Equatable {
    public var id: String
    public var status: OrderStatus
    public var cancelReason: CancelReason?
    public var stuck: Bool
    public var total: Money
    public var itemCount: Int
    public var placedAt: Date
    public var updatedAt: Date
}

/// A page of `GET /orders/me` or `GET /orders`: newest first, `placedAt` then id as the keyset.
public struct OrderPage: Sendable, Equatable {
    public var items: [OrderSummary]
    public var next: OrderListPosition?
}

/// Where the next page starts: after this order.
public struct OrderListPosition: Sendable, Equatable, Codable {
    public var placedAt: Date
    public var id: String
}

/// The filters of an order list; a cursor is bound to them (its fingerprint).
public struct OrderListQuery: Sendable, Equatable {
    public var userId: String?
    public var statuses: [OrderStatus] = []
    public var stuck: Bool?
    public var limit = 20
    public var after: OrderListPosition?

    /// What a cursor must have been made with.
    public var fingerprint: String {
        ["u=\(userId ?? "")", "s=\(statuses.map(\.rawValue).sorted().joined(separator: ","))", "k=\(stuck.map(String.init) ?? "")"]
            .joined(separator: ";")
    }
}
