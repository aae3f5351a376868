import Contracts
import Foundation
import ServiceKit

/// JSON bodies of shipping's HTTP API (camelCase), apart from the domain types so the wire shape is
/// explicit and documented by example in `/openapi.json`. Optional answer fields are sent as `null`,
/// never left out (API.md §7 lists them all).

/// `POST /shipping/schedule`. `method` is text so that a wrong value gets a field message, not a parse error.
/// A ship-to address as the document states it (`ShipmentRequest.addressProblems` checks the same).
enum AddressSnapshotRules {
    static let rules: [FieldRule<AddressSnapshot>] = [
        .text("recipientName", \.recipientName, length: 1...100),
        .text("phone", \.phone, length: 0...32, pattern: "[-+ 0-9]*", patternMessage: "must be at most 32 characters of digits, +, spaces and -"),
        .text("line1", \.line1, length: 1...200),
        .text("line2", \.line2, length: 0...200),
        .text("city", \.city, length: 1...100),
        .text("state", \.state, length: 0...100),
        .text("postalCode", \.postalCode, length: 1...20),
        .text("country", \.country, length: 2...2, pattern: "[A-Z]{2}", patternMessage: "must be an ISO-3166-1 alpha-2 code in upper case"),
    ]
}

struct ScheduleRequest: Codable, Sendable, ValidatedBody {
    var orderId: String
    var userId: String
    var method: String?
    var shipTo: AddressSnapshot
    var lines: [ProductQuantity]

    static let rules: [FieldRule<Self>] = [
        .uuid("orderId", \.orderId),
        .uuid("userId", \.userId),
        .oneOf("method", \.method, ShippingMethod.allCases.map(\.rawValue)),
        .nested("shipTo", \.shipTo, AddressSnapshotRules.rules),
        .items("lines", \.lines, count: 1...ShipmentRequest.maximumLines, distinct: true),
        .each("lines", \.lines, [
            .uuid("productId", \.productId),
            .integer("quantity", \.quantity, Int64(ShipmentRequest.quantityRange.lowerBound)...Int64(ShipmentRequest.quantityRange.upperBound)),
        ]),
    ]

    static let example = ScheduleRequest(
        orderId: "01938a4e-7c1a-7b3e-9f0a-2c4d6e8f0a1b", userId: "01938a4e-0000-7000-8000-00000000000a", method: "STANDARD",
        shipTo: AddressSnapshot(addressId: "01938a4e-2222-7000-8000-000000000001", recipientName: "Ada Lovelace",
                                phone: "+44 20 7946 0000", line1: "12 St James's Square", line2: "Flat 3", city: "London", state: "Greater London",
                                postalCode: "SW1Y 4JH", country: "GB"),
        lines: [ProductQuantity(productId: "01938a4e-1111-7000-8000-000000000001", quantity: 2)])
}

/// `POST /shipping/shipments/{shipmentId}/events`: one event of the carrier.
struct CarrierEventRequest: Codable, Sendable, ValidatedBody {
    var carrierEventId: String
    var status: String
    var location: String?
    /// ISO-8601; the arrival time when absent.
    var occurredAt: String?
    /// Only with `DELIVERY_FAILED`.
    var final: Bool?

    static let example = CarrierEventRequest(carrierEventId: "ev-1", status: "DELIVERY_FAILED", location: "Leeds hub",
                                             occurredAt: "2026-11-25T20:01:26.123Z", final: false)

    static let rules: [FieldRule<Self>] = [
        .text("carrierEventId", \.carrierEventId, length: 1...maximumIdLength),
        .oneOf("status", \.status, CarrierEventStatus.allCases.map(\.rawValue)),
        .text("location", \.location, length: 0...maximumLocationLength),
        // ISO-8601 as `Timestamp.parse` reads it: UTC or an offset, fractions optional.
        .text("occurredAt", \.occurredAt, length: 20...40,
              pattern: "[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])",
              patternMessage: "must be an ISO-8601 timestamp (2026-11-25T20:01:26.123Z)"),
        .only("final", given: { $0.final != nil }, when: "status", is: CarrierEventStatus.deliveryFailed.rawValue) {
            $0.status == CarrierEventStatus.deliveryFailed.rawValue
        },
    ]
}

struct PickListLineDTO: Codable, Sendable {
    var productId: String
    var warehouseId: String
    var quantity: Int
}

/// API.md §7's Shipment, plus the order's pick list (empty until inventory commits the stock).
struct ShipmentDTO: Encodable, Sendable {
    var id: String
    var orderId: String
    var status: ShipmentStatus
    var carrier: String
    var trackingNumber: String?
    var method: ShippingMethod
    var cost: Money
    var shipTo: AddressSnapshot
    var lines: [ProductQuantity]
    var estimatedDeliveryAt: Date?
    var shippedAt: Date?
    var deliveredAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int
    var pickList: [PickListLineDTO]

    init(_ record: ShipmentRecord) {
        let shipment = record.shipment
        id = shipment.id
        orderId = shipment.orderId
        status = shipment.status
        carrier = shipment.carrier
        trackingNumber = shipment.trackingNumber
        method = shipment.method
        cost = shipment.cost
        shipTo = shipment.shipTo
        lines = shipment.lines
        estimatedDeliveryAt = shipment.estimatedDeliveryAt
        shippedAt = shipment.shippedAt
        deliveredAt = shipment.deliveredAt
        createdAt = shipment.createdAt
        updatedAt = shipment.updatedAt
        version = shipment.version
        pickList = record.pickList.map { PickListLineDTO(productId: $0.productId, warehouseId: $0.warehouseId, quantity: $0.quantity) }
    }

    enum CodingKeys: String, CodingKey {
        case id, orderId, status, carrier, trackingNumber, method, cost, shipTo, lines, estimatedDeliveryAt, shippedAt,
             deliveredAt, createdAt, updatedAt, version, pickList
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(status, forKey: .status)
        try container.encode(carrier, forKey: .carrier)
        try container.encode(trackingNumber, forKey: .trackingNumber)
        try container.encode(method, forKey: .method)
        try container.encode(cost, forKey: .cost)
        try container.encode(AddressDTO(shipTo), forKey: .shipTo)
        try container.encode(lines, forKey: .lines)
        try container.encode(estimatedDeliveryAt, forKey: .estimatedDeliveryAt)
        try container.encode(shippedAt, forKey: .shippedAt)
        try container.encode(deliveredAt, forKey: .deliveredAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
        try container.encode(pickList, forKey: .pickList)
    }

    static let example: ShipmentDTO = {
        let at = Date(timeIntervalSince1970: 1_764_100_886.123)
        let request = ScheduleRequest.example
        let shipment = Shipment(
            id: "01938a4f-2222-7000-8000-000000000002", orderId: request.orderId, userId: request.userId, status: .labelCreated,
            carrier: SimulatedCarrier.code, trackingNumber: "SIM482913650271", method: .standard,
            cost: Money(amountMinor: 499, currency: .EUR), shipTo: request.shipTo, lines: request.lines,
            estimatedDeliveryAt: at.addingTimeInterval(3 * 86_400), shippedAt: nil, deliveredAt: nil, deliveryFailureFinal: false,
            createdAt: at, updatedAt: at, version: 1)
        return ShipmentDTO(ShipmentRecord(shipment: shipment, events: [], pickList: [
            PickListLine(productId: "01938a4e-1111-7000-8000-000000000001", warehouseId: "01938a4e-3333-7000-8000-000000000003", quantity: 2),
        ]))
    }()
}

/// An address snapshot with every field present (`null` when unset).
struct AddressDTO: Encodable, Sendable {
    let address: AddressSnapshot

    init(_ address: AddressSnapshot) { self.address = address }

    enum CodingKeys: String, CodingKey { case addressId, recipientName, phone, line1, line2, city, state, postalCode, country }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address.addressId, forKey: .addressId)
        try container.encode(address.recipientName, forKey: .recipientName)
        try container.encode(address.phone, forKey: .phone)
        try container.encode(address.line1, forKey: .line1)
        try container.encode(address.line2, forKey: .line2)
        try container.encode(address.city, forKey: .city)
        try container.encode(address.state, forKey: .state)
        try container.encode(address.postalCode, forKey: .postalCode)
        try container.encode(address.country, forKey: .country)
    }
}

struct TrackingEventDTO: Encodable, Sendable {
    var status: ShipmentStatus
    var location: String?
    var occurredAt: Date

    enum CodingKeys: String, CodingKey { case status, location, occurredAt }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(location, forKey: .location)
        try container.encode(occurredAt, forKey: .occurredAt)
    }
}

/// API.md §7's Tracking: the events in the order they were applied, oldest first.
struct TrackingDTO: Encodable, Sendable {
    var orderId: String
    var shipmentId: String
    var carrier: String
    var trackingNumber: String?
    var status: ShipmentStatus
    var estimatedDeliveryAt: Date?
    var events: [TrackingEventDTO]

    init(_ record: ShipmentRecord) {
        orderId = record.shipment.orderId
        shipmentId = record.shipment.id
        carrier = record.shipment.carrier
        trackingNumber = record.shipment.trackingNumber
        status = record.shipment.status
        estimatedDeliveryAt = record.shipment.estimatedDeliveryAt
        events = record.events.map { TrackingEventDTO(status: $0.status, location: $0.location, occurredAt: $0.occurredAt) }
    }

    enum CodingKeys: String, CodingKey { case orderId, shipmentId, carrier, trackingNumber, status, estimatedDeliveryAt, events }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(shipmentId, forKey: .shipmentId)
        try container.encode(carrier, forKey: .carrier)
        try container.encode(trackingNumber, forKey: .trackingNumber)
        try container.encode(status, forKey: .status)
        try container.encode(estimatedDeliveryAt, forKey: .estimatedDeliveryAt)
        try container.encode(events, forKey: .events)
    }

    static let example: TrackingDTO = {
        let shipment = ShipmentDTO.example
        let at = shipment.createdAt
        var tracking = TrackingDTO(ShipmentRecord(shipment: Shipment(
            id: shipment.id, orderId: shipment.orderId, userId: "", status: .dispatched, carrier: shipment.carrier,
            trackingNumber: shipment.trackingNumber, method: shipment.method, cost: shipment.cost, shipTo: shipment.shipTo,
            lines: shipment.lines, estimatedDeliveryAt: shipment.estimatedDeliveryAt, shippedAt: nil, deliveredAt: nil,
            deliveryFailureFinal: false, createdAt: at, updatedAt: at, version: 2), events: [], pickList: []))
        tracking.events = [TrackingEventDTO(status: .labelCreated, location: nil, occurredAt: at),
                           TrackingEventDTO(status: .dispatched, location: "Leeds hub", occurredAt: at.addingTimeInterval(3600))]
        return tracking
    }()
}
