import Contracts
import Foundation
import Hummingbird
import HTTPTypes
import ServiceKit

/// Shipping's HTTP API (API.md §7) on top of `Shipping`: the route table, then one handler per route.
/// Domain errors are thrown as they are; `ShippingError.apiError` decides what the client sees.
struct ShipmentRoutes: Sendable {
    let shipping: Shipping
    let verifier: JWTVerifier

    func register(on app: ServiceApp) {
        let authenticated = AuthMiddleware(verifier: verifier)
        let writer = ServiceScopeMiddleware(scope: ShippingScopes.write)
        let carrier = ServiceScopeMiddleware(scope: ShippingScopes.carrier)

        app.route(.post, "/shipping/schedule", doc: OperationDoc(
            "Create the order's shipment (the HTTP form of CreateShipment; svc:shipping.write or admin). 200 with the existing shipment when the order has one; 422 when the carrier refuses the destination (\(SimulatedCarrier.refusedCountry))",
            tag: "shipping", requiresAuth: true, request: ScheduleRequest.example, response: ShipmentDTO.example,
            successStatus: 201, errors: [200, 403, 422]), middleware: [authenticated, writer], schedule)
        app.route(.get, "/shipping/track/:orderId", doc: OperationDoc(
            "The order's shipment and its tracking events, oldest first (the order's owner or an admin)",
            tag: "shipping", requiresAuth: true, response: TrackingDTO.example, errors: [404]),
            middleware: [authenticated], track)
        app.route(.get, "/shipping/shipments/:shipmentId", doc: OperationDoc(
            "One shipment (its order's owner or an admin)", tag: "shipping", requiresAuth: true,
            response: ShipmentDTO.example, errors: [404]), middleware: [authenticated], shipment)
        app.route(.post, "/shipping/shipments/:shipmentId/events", doc: OperationDoc(
            "Record a carrier event (svc:shipping.carrier or admin). 200 and Idempotent-Replayed: true when the carrierEventId was seen before; 409 when the status cannot follow the shipment's",
            tag: "shipping", requiresAuth: true, request: CarrierEventRequest.example, response: ShipmentDTO.example,
            successStatus: 201, errors: [200, 403, 404, 409]), middleware: [authenticated, carrier], recordCarrierEvent)
    }

    // MARK: Handlers

    @Sendable func schedule(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ShipmentDTO> {
        let body = try await request.decodeJSON(ScheduleRequest.self, context: context) { body in
            var problems = body.shipmentRequest(method: .standard).problems()
            if let method = body.method, ShippingMethod(rawValue: method) == nil {
                problems.append(FieldError(field: "method", message: "must be STANDARD or EXPRESS"))
            }
            return problems
        }
        let method = body.method.flatMap(ShippingMethod.init(rawValue:)) ?? .standard
        // As in a checkout, the order id correlates what this causes (the saga's replies carry it too).
        var metadata = Self.metadata(request, context)
        metadata.correlationId = Identifier.canonical(body.orderId) ?? context.requestId
        switch try await shipping.schedule(body.shipmentRequest(method: method), metadata: metadata) {
        case .created(let record):
            return EnvelopeResponse(ShipmentDTO(record), status: .created, message: "Shipment created",
                                    headers: [.location: "/shipping/shipments/\(record.shipment.id)"])
        case .existing(let record):
            return EnvelopeResponse(ShipmentDTO(record), message: "The order already has this shipment")
        }
    }

    @Sendable func track(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<TrackingDTO> {
        let orderId = try context.parameters.require("orderId")
        return EnvelopeResponse(TrackingDTO(try await shipping.tracking(orderId: orderId, viewer: try context.requirePrincipal())))
    }

    @Sendable func shipment(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ShipmentDTO> {
        let shipmentId = try context.parameters.require("shipmentId")
        return EnvelopeResponse(ShipmentDTO(try await shipping.shipment(id: shipmentId, viewer: try context.requirePrincipal())))
    }

    @Sendable func recordCarrierEvent(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ShipmentDTO> {
        let shipmentId = try context.parameters.require("shipmentId")
        let body = try await request.decodeJSON(CarrierEventRequest.self, context: context) { $0.problems() }
        // `problems()` has vouched for both conversions.
        guard let status = CarrierEventStatus(rawValue: body.status) else { throw APIError.internalError }
        let event = CarrierEvent(carrierEventId: body.carrierEventId, status: status, location: body.location,
                                 occurredAt: body.occurredAt.flatMap(Timestamp.parse), final: body.final ?? false)
        switch try await shipping.recordCarrierEvent(event, shipmentId: shipmentId, metadata: Self.metadata(request, context)) {
        case .applied(let record):
            return EnvelopeResponse(ShipmentDTO(record), status: .created, message: "Event recorded")
        case .replayed(let record):
            return EnvelopeResponse(ShipmentDTO(record), message: "Event already recorded; nothing changed",
                                    headers: [.idempotentReplayed: "true"])
        }
    }

    /// Envelope metadata of events a request causes: the request id correlates them, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}

extension ScheduleRequest {
    func shipmentRequest(method: ShippingMethod) -> ShipmentRequest {
        ShipmentRequest(orderId: orderId, userId: userId, method: method, shipTo: shipTo, lines: lines)
    }
}

extension CarrierEventRequest {
    static let maximumIdLength = 100
    static let maximumLocationLength = 200

    /// What the declared rules cannot say: the timestamp is a real instant.
    func problems() -> [FieldError] {
        var check = Validator()
        if let occurredAt {
            check.require(Timestamp.parse(occurredAt) != nil, "occurredAt", "must be an ISO-8601 timestamp (2026-11-25T20:01:26.123Z)")
        }
        return check.errors
    }
}
