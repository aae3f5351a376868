import Foundation
import ServiceKit

/// Wire shapes of stock levels, adjustments and counts (API.md §5).
struct StockLevelDTO: Codable, Sendable {
    struct WarehouseStock: Codable, Sendable {
        var warehouseId: String
        var code: String
        var onHand: Int
        var reserved: Int
        var available: Int
        var version: Int
        var updatedAt: Date
    }

    var productId: String
    var onHand: Int
    var reserved: Int
    var available: Int
    var warehouses: [WarehouseStock]

    init(_ level: StockLevel) {
        productId = level.productId
        onHand = level.onHand
        reserved = level.reserved
        available = level.available
        warehouses = level.rows.map {
            WarehouseStock(warehouseId: $0.warehouseId, code: $0.warehouseCode, onHand: $0.onHand, reserved: $0.reserved,
                           available: $0.available, version: $0.version, updatedAt: $0.updatedAt)
        }
    }

    static let example = StockLevelDTO(StockLevel(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", rows: [
        StockRow(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", warehouseId: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f",
                 warehouseCode: "MAIN", onHand: 10, reserved: 2, version: 4, updatedAt: Date(timeIntervalSince1970: 1_764_100_000)),
    ]))
}

struct AdjustmentRequest: Codable, Sendable, ValidatedBody {
    var productId: String
    var warehouseId: String
    var delta: Int
    var reason: String
    var note: String?

    static let rules: [FieldRule<Self>] = [
        .uuid("productId", \.productId),
        .uuid("warehouseId", \.warehouseId),
        .integer("delta", \.delta, -Int64(StockAdjustmentRequest.deltaLimit)...Int64(StockAdjustmentRequest.deltaLimit), excluding: 0),
        .oneOf("reason", \.reason, AdjustmentReason.allCases.map(\.rawValue)),
        .text("note", \.note, length: 0...StockAdjustmentRequest.noteLimit),
    ]

    /// Only after `problems()` came back empty.
    var adjustment: StockAdjustmentRequest {
        StockAdjustmentRequest(productId: productId.lowercased(), warehouseId: warehouseId.lowercased(), delta: delta,
                               reason: AdjustmentReason(rawValue: reason) ?? .correction, note: note)
    }

    static let example = AdjustmentRequest(productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", warehouseId: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f",
                                           delta: 10, reason: "RECEIPT", note: "PO 4711")
}

struct AdjustmentDTO: Codable, Sendable {
    var id: String
    var productId: String
    var warehouseId: String
    var delta: Int
    var reason: String
    var note: String?
    var onHand: Int
    var reserved: Int
    var available: Int
    var version: Int
    var createdAt: Date

    init(_ adjustment: StockAdjustment) {
        id = adjustment.id
        productId = adjustment.productId
        warehouseId = adjustment.warehouseId
        delta = adjustment.delta
        reason = adjustment.reason.rawValue
        note = adjustment.note
        onHand = adjustment.onHand
        reserved = adjustment.reserved
        available = adjustment.available
        version = adjustment.version
        createdAt = adjustment.createdAt
    }

    // `note` is always present (null when none), as the row has it.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(productId, forKey: .productId)
        try container.encode(warehouseId, forKey: .warehouseId)
        try container.encode(delta, forKey: .delta)
        try container.encode(reason, forKey: .reason)
        try container.encode(note, forKey: .note)
        try container.encode(onHand, forKey: .onHand)
        try container.encode(reserved, forKey: .reserved)
        try container.encode(available, forKey: .available)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
    }

    static let example = AdjustmentDTO(StockAdjustment(
        id: "0193a5c2-2222-7b3a-9f10-3c2b1a0d9e8f", productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f",
        warehouseId: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f", delta: 10, reason: .receipt, note: "PO 4711", onHand: 10, reserved: 0,
        version: 1, createdAt: Date(timeIntervalSince1970: 1_764_100_000)))
}

struct CountRequest: Codable, Sendable, ValidatedBody {
    var onHand: Int
    var version: Int?

    static let rules: [FieldRule<Self>] = [
        .integer("onHand", \.onHand, 0...Int64(StockCount.onHandLimit)),
        .integer("version", \.version, 0...Int64(Int32.max)),
    ]

    static let example = CountRequest(onHand: 42, version: 3)
}

struct StockRowDTO: Codable, Sendable {
    var productId: String
    var warehouseId: String
    var onHand: Int
    var reserved: Int
    var available: Int
    var version: Int
    var updatedAt: Date

    init(_ row: StockRow) {
        productId = row.productId
        warehouseId = row.warehouseId
        onHand = row.onHand
        reserved = row.reserved
        available = row.available
        version = row.version
        updatedAt = row.updatedAt
    }

    static let example = StockRowDTO(StockRow(
        productId: "0193a5c2-1111-7b3a-9f10-3c2b1a0d9e8f", warehouseId: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f", warehouseCode: "MAIN",
        onHand: 42, reserved: 2, version: 4, updatedAt: Date(timeIntervalSince1970: 1_764_100_000)))
}
