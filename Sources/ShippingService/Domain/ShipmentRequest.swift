import Contracts
import Foundation
import ServiceKit

/// A request for an order's shipment, as `CreateShipment` and `POST /shipping/schedule` both carry it.
/// `problems()` holds the rules both paths apply (field names are the JSON paths of the schedule body).
public struct ShipmentRequest: Sendable, Equatable {
    public var orderId: String
    public var userId: String
    public var method: ShippingMethod
    public var shipTo: AddressSnapshot
    public var lines: [ProductQuantity]

    public init(orderId: String, userId: String, method: ShippingMethod, shipTo: AddressSnapshot, lines: [ProductQuantity]) {
        self.orderId = orderId
        self.userId = userId
        self.method = method
        self.shipTo = shipTo
        self.lines = lines
    }

    public init(_ command: CreateShipment) {
        self.init(orderId: command.orderId, userId: command.userId, method: command.method, shipTo: command.shipTo,
                  lines: command.lines)
    }

    /// Lines per shipment (an order's cart holds at most 50).
    public static let maximumLines = 50
    public static let quantityRange = 1...10_000

    public func problems() -> [FieldError] {
        var check = Validator()
        check.require(Identifier.canonical(orderId) != nil, "orderId", "must be a UUID")
        check.require(Identifier.canonical(userId) != nil, "userId", "must be a UUID")
        for error in Self.addressProblems(shipTo) { check.add("shipTo." + error.field, error.message) }
        check.require(!lines.isEmpty, "lines", "must list at least one product")
        check.require(lines.count <= Self.maximumLines, "lines", "must list at most \(Self.maximumLines) products")
        check.require(Set(lines.map(\.productId)).count == lines.count, "lines", "must name each product once")
        for (index, line) in lines.enumerated().prefix(Self.maximumLines) {
            check.require(Identifier.canonical(line.productId) != nil, "lines[\(index)].productId", "must be a UUID")
            check.require(Self.quantityRange.contains(line.quantity), "lines[\(index)].quantity",
                          "must be between \(Self.quantityRange.lowerBound) and \(Self.quantityRange.upperBound)")
        }
        return check.errors
    }

    /// The customer service's AddressInput rules (API.md §2), so a snapshot is never less valid than its source.
    static func addressProblems(_ address: AddressSnapshot) -> [FieldError] {
        var check = Validator()
        check.require((1...100).contains(address.recipientName.count), "recipientName", "must be 1–100 characters")
        check.require((1...200).contains(address.line1.count), "line1", "must be 1–200 characters")
        check.require((address.line2?.count ?? 0) <= 200, "line2", "must be at most 200 characters")
        check.require((1...100).contains(address.city.count), "city", "must be 1–100 characters")
        check.require((address.state?.count ?? 0) <= 100, "state", "must be at most 100 characters")
        check.require((1...20).contains(address.postalCode.count), "postalCode", "must be 1–20 characters")
        check.require(address.country.utf8.count == 2 && address.country.utf8.allSatisfy { (65...90).contains($0) },
                      "country", "must be an ISO-3166-1 alpha-2 code in upper case")
        if let phone = address.phone {
            check.require(phone.count <= 32 && phone.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "+" || $0 == " " || $0 == "-") },
                          "phone", "must be at most 32 characters of digits, +, spaces and -")
        }
        return check.errors
    }

    /// The same request with its ids in canonical form (call after `problems()` is empty).
    func canonicalized() -> ShipmentRequest {
        var copy = self
        copy.orderId = Identifier.canonical(orderId) ?? orderId
        copy.userId = Identifier.canonical(userId) ?? userId
        copy.lines = lines.map { ProductQuantity(productId: Identifier.canonical($0.productId) ?? $0.productId, quantity: $0.quantity) }
        return copy
    }
}
