import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The HTTP form of the saga's reservation step (`POST /inventory/reserve`, the same code as the
/// `ReserveStock` command) and reading an order's reservation.
struct ReservationRoutes: Sendable {
    let store: InventoryStore
    let configuration: InventoryConfiguration

    func register(on app: ServiceApp, authenticated: AuthMiddleware) {
        let reserver = AccessRule(rule: .serviceOrAdmin(scope: InventoryServer.reserveScope))
        let reader = AccessRule(rule: .serviceOrAdmin(scope: InventoryServer.readScope))
        app.route(.post, "/inventory/reserve", doc: OperationDoc(
                  "Reserve every line of an order or none; idempotent by orderId: 201 created, 200 the existing reservation (svc:inventory.reserve or admin)",
                  tag: "reservations", requiresAuth: true, request: ReserveRequest.example, response: ReservationDTO.example,
                  successStatus: 201, errors: [400, 401, 403, 409, 413, 415, 422]), middleware: [authenticated, reserver], reserve)
        app.route(.get, "/inventory/reservations/:orderId", doc: OperationDoc(
                  "An order's reservation (svc:inventory.read or admin)", tag: "reservations", requiresAuth: true,
                  response: ReservationDTO.example, errors: [401, 403, 404]), middleware: [authenticated, reader], get)
    }

    @Sendable func reserve(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ReservationDTO> {
        // A product named in two lines is well-formed JSON the document cannot forbid (its lines differ):
        // a 422 the client fixes by merging them, not a shape error.
        let body = try await request.decodeJSON(ReserveRequest.self, context: context) { $0.reservation.shapeProblems() }
        let reservation = body.reservation
        let repeats = reservation.repeatedProducts()
        if !repeats.isEmpty {
            throw APIError(.unprocessableContent, "Each product may appear in one line only; merge the repeated lines", errors: repeats)
        }
        let orderId = reservation.orderId.lowercased()
        let metadata = EventMetadata(correlationId: orderId, causationId: context.requestId, traceparent: request.traceparent)
        switch try await store.reserve(reservation, defaultTTL: configuration.reservationTTL, metadata: metadata) {
        case .created(let created):
            return EnvelopeResponse(ReservationDTO(created), status: .created, message: "Reserved",
                                    headers: [.location: "/inventory/reservations/\(orderId)"])
        case .existing(let existing):
            return EnvelopeResponse(ReservationDTO(existing), message: "Already reserved")
        case .rejected(let shortages):
            throw InventoryError.insufficientStock(shortages)
        }
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ReservationDTO> {
        let raw = try context.parameters.require("orderId")
        guard let orderId = Identifier.canonical(raw) else { throw InventoryError.reservationNotFound(orderId: raw) }
        return EnvelopeResponse(ReservationDTO(try await store.reservation(orderId: orderId)))
    }
}
