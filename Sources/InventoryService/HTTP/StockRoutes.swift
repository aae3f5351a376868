import Foundation
import Hummingbird
import ServiceKit

/// Stock levels (`GET /inventory/{productId}`), adjustments and counts.
struct StockRoutes: Sendable {
    let store: InventoryStore
    let idempotency: Idempotency

    func register(on app: ServiceApp, authenticated: AuthMiddleware, admin: AuthMiddleware) {
        let reader = AccessRule(rule: .userOrService(scope: InventoryServer.readScope))
        app.route(.post, "/inventory/adjustments", doc: OperationDoc(
                  "Change a stock row's on-hand with a reason; optional Idempotency-Key (admin)", tag: "stock", requiresAuth: true,
                  request: AdjustmentRequest.example, response: AdjustmentDTO.example, successStatus: 201,
                  errors: [400, 401, 403, 409, 413, 415, 422]), middleware: [admin], adjust)
        app.route(.get, "/inventory/:productId", doc: OperationDoc(
                  "A product's stock, summed and per warehouse (a user, or svc:inventory.read)", tag: "stock", requiresAuth: true,
                  response: StockLevelDTO.example, errors: [401, 403, 404]), middleware: [authenticated, reader], level)
        app.route(.put, "/inventory/:productId/warehouses/:warehouseId", doc: OperationDoc(
                  "Record a stock count: set on-hand (reason COUNT); optional version (admin)", tag: "stock", requiresAuth: true,
                  request: CountRequest.example, response: StockRowDTO.example, errors: [400, 401, 403, 404, 409, 413, 415, 422]),
                  middleware: [admin], count)
    }

    @Sendable func level(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<StockLevelDTO> {
        let productId = try Self.productId(context)
        return EnvelopeResponse(StockLevelDTO(try await store.stockLevel(productId: productId)))
    }

    @Sendable func adjust(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let actor = context.principal?.subject
        let metadata = InventoryServer.metadata(request, context)
        let now = store.clock.now()
        return try await idempotency.perform(request: request, context: context, required: false) { db, claim in
            let body = try claim.decode(AdjustmentRequest.self)
            let adjustment = try InventoryStore.adjust(body.adjustment, actor: actor, now: now, metadata: metadata, db)
            return EnvelopeResponse(AdjustmentDTO(adjustment), status: .created, message: "Adjusted",
                                    headers: [.location: "/inventory/\(adjustment.productId)"])
        }
    }

    @Sendable func count(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<StockRowDTO> {
        let productId = try Self.productId(context)
        let raw = try context.parameters.require("warehouseId")
        guard let warehouseId = Identifier.canonical(raw) else { throw InventoryError.warehouseNotFound(id: raw) }
        let body = try await request.decodeJSON(CountRequest.self, context: context)
        let row = try await store.count(StockCount(productId: productId, warehouseId: warehouseId, onHand: body.onHand, version: body.version),
                                        actor: context.principal?.subject, metadata: InventoryServer.metadata(request, context))
        return EnvelopeResponse(StockRowDTO(row), message: "Counted")
    }

    static func productId(_ context: ServiceRequestContext) throws -> String {
        let raw = try context.parameters.require("productId")
        guard let id = Identifier.canonical(raw) else { throw InventoryError.productNotFound(id: raw) }
        return id
    }
}
