import Contracts
import Foundation
import ServiceKit

/// Stock held for one order (at most one reservation per order).
public struct Reservation: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case active = "ACTIVE"
        case committed = "COMMITTED"
        case released = "RELEASED"
        case expired = "EXPIRED"
    }

    public var id: String
    public var orderId: String
    public var status: Status
    public var expiresAt: Date
    /// Whether its one extension was used.
    public var extended: Bool
    /// Where the stock is held: per product and warehouse.
    public var lines: [StockReservationLine]
    /// The lines as requested (sorted by product), to recognise a repeated request.
    public var requested: [ProductQuantity]
    public var createdAt: Date
    public var updatedAt: Date
}

/// A reservation request (`POST /inventory/reserve` or the `ReserveStock` command: the same rules).
public struct ReservationRequest: Sendable, Equatable {
    public var orderId: String
    public var lines: [ProductQuantity]
    /// nil: the configured TTL.
    public var ttlSeconds: Int?

    public init(orderId: String, lines: [ProductQuantity], ttlSeconds: Int? = nil) {
        self.orderId = orderId
        self.lines = lines
        self.ttlSeconds = ttlSeconds
    }

    public static let quantityRange = 1...999
    public static let lineCountRange = 1...50
    public static let ttlRange = 60...86_400

    /// The lines in a canonical order, so that the same request in another order is the same request.
    var normalizedLines: [ProductQuantity] {
        lines.map { ProductQuantity(productId: $0.productId.lowercased(), quantity: $0.quantity) }
            .sorted { $0.productId < $1.productId }
    }

    /// Every rule the request breaks, one message per field (API.md §5): its shape, then repeated products.
    public func problems() -> [FieldError] {
        shapeProblems() + repeatedProducts()
    }

    /// What a schema can state: ids, counts and ranges (over HTTP, a 400).
    public func shapeProblems() -> [FieldError] {
        var errors: [FieldError] = []
        if !Identifier.isUUID(orderId) { errors.append(FieldError(field: "orderId", message: "must be a UUID")) }
        if !Self.lineCountRange.contains(lines.count) {
            errors.append(FieldError(field: "lines", message: "must have \(Self.lineCountRange.lowerBound)–\(Self.lineCountRange.upperBound) lines"))
        }
        for (index, line) in lines.enumerated() {
            if !Identifier.isUUID(line.productId) {
                errors.append(FieldError(field: "lines[\(index)].productId", message: "must be a UUID"))
            }
            if !Self.quantityRange.contains(line.quantity) {
                errors.append(FieldError(field: "lines[\(index)].quantity",
                                         message: "must be between \(Self.quantityRange.lowerBound) and \(Self.quantityRange.upperBound)"))
            }
        }
        if let ttlSeconds, !Self.ttlRange.contains(ttlSeconds) {
            errors.append(FieldError(field: "ttlSeconds", message: "must be between \(Self.ttlRange.lowerBound) and \(Self.ttlRange.upperBound)"))
        }
        return errors
    }

    /// Lines naming a product an earlier line names: well-formed lines that differ, so no schema forbids them
    /// (over HTTP, a 422: merge the lines).
    public func repeatedProducts() -> [FieldError] {
        var seen: Set<String> = []
        return lines.enumerated().compactMap { index, line in
            guard Identifier.isUUID(line.productId), !seen.insert(line.productId.lowercased()).inserted else { return nil }
            return FieldError(field: "lines[\(index)].productId", message: "repeats a product of an earlier line")
        }
    }
}

/// What a reservation request came to.
public enum ReservationOutcome: Sendable, Equatable {
    /// Reserved now.
    case created(Reservation)
    /// The order already had this reservation (the same lines); nothing changed.
    case existing(Reservation)
    /// Not every line could be covered (now, or when the order first asked); nothing is reserved.
    case rejected([InventoryError.Shortage])
}
