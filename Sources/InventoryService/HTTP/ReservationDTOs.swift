import Contracts
import Foundation
import ServiceKit

/// Wire shapes of reservations (API.md §5).
struct ReserveRequest: Codable, Sendable, ValidatedBody {
    struct Line: Codable, Sendable {
        var productId: String
        var quantity: Int
    }

    var orderId: String
    var lines: [Line]
    var ttlSeconds: Int?

    static let rules: [FieldRule<Self>] = [
        .uuid("orderId", \.orderId),
        .items("lines", \.lines, count: ReservationRequest.lineCountRange, distinct: true),
        .each("lines", \.lines, [
            .uuid("productId", \.productId),
            .integer("quantity", \.quantity, Int64(ReservationRequest.quantityRange.lowerBound)...Int64(ReservationRequest.quantityRange.upperBound)),
        ]),
        .integer("ttlSeconds", \.ttlSeconds, Int64(ReservationRequest.ttlRange.lowerBound)...Int64(ReservationRequest.ttlRange.upperBound)),
    ]

    var reservation: ReservationRequest {
        ReservationRequest(orderId: orderId, lines: lines.map { ProductQuantity(productId: $0.productId, quantity: $0.quantity) },
                           ttlSeconds: ttlSeconds)
    }

    static let example = ReserveRequest(orderId: "0193a5c2-3333-7b3a-9f10-3c2b1a0d9e8f",
                                        lines: [Line(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", quantity: 2)], ttlSeconds: 900)
}

struct ReservationDTO: Codable, Sendable {
    struct Line: Codable, Sendable {
        var productId: String
        var warehouseId: String
        var quantity: Int
    }

    var id: String
    var orderId: String
    var status: String
    var expiresAt: Date
    var extended: Bool
    var lines: [Line]
    var createdAt: Date
    var updatedAt: Date

    init(_ reservation: Reservation) {
        id = reservation.id
        orderId = reservation.orderId
        status = reservation.status.rawValue
        expiresAt = reservation.expiresAt
        extended = reservation.extended
        lines = reservation.lines.map { Line(productId: $0.productId, warehouseId: $0.warehouseId, quantity: $0.quantity) }
        createdAt = reservation.createdAt
        updatedAt = reservation.updatedAt
    }

    static let example = ReservationDTO(Reservation(
        id: "0193a5c2-4444-7b3a-9f10-3c2b1a0d9e8f", orderId: "0193a5c2-3333-7b3a-9f10-3c2b1a0d9e8f", status: .active,
        expiresAt: Date(timeIntervalSince1970: 1_764_100_900), extended: false,
        lines: [StockReservationLine(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", warehouseId: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f", quantity: 2)],
        requested: [ProductQuantity(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", quantity: 2)],
        createdAt: Date(timeIntervalSince1970: 1_764_100_000), updatedAt: Date(timeIntervalSince1970: 1_764_100_000)))
}
