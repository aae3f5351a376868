import Foundation
import Hummingbird
import ServiceKit

/// `/warehouses` (admin): create, list, read, change.
struct WarehouseRoutes: Sendable {
    let store: InventoryStore

    func register(on app: ServiceApp, admin: AuthMiddleware) {
        app.route(.post, "/warehouses", doc: OperationDoc("Create a warehouse (admin)", tag: "warehouses", requiresAuth: true,
                  request: CreateWarehouseRequest.example, response: WarehouseDTO.example, successStatus: 201,
                  errors: [400, 401, 403, 409, 413, 415]), middleware: [admin], create)
        app.route(.get, "/warehouses", doc: OperationDoc("Every warehouse, by priority then code (admin)", tag: "warehouses",
                  requiresAuth: true, response: [WarehouseDTO.example], errors: [401, 403]), middleware: [admin], list)
        app.route(.get, "/warehouses/:id", doc: OperationDoc("One warehouse (admin)", tag: "warehouses", requiresAuth: true,
                  response: WarehouseDTO.example, errors: [401, 403, 404]), middleware: [admin], get)
        app.route(.patch, "/warehouses/:id", doc: OperationDoc("Change a warehouse's name, priority or active flag; version required (admin)",
                  tag: "warehouses", requiresAuth: true, request: PatchWarehouseRequest.example, response: WarehouseDTO.example,
                  errors: [400, 401, 403, 404, 409, 413, 415]), middleware: [admin], update)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<WarehouseDTO> {
        let body = try await request.decodeJSON(CreateWarehouseRequest.self, context: context) { $0.problems() }
        let warehouse = try await store.createWarehouse(body.newWarehouse)
        return EnvelopeResponse(WarehouseDTO(warehouse), status: .created, message: "Created",
                                headers: [.location: "/warehouses/\(warehouse.id)"])
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[WarehouseDTO]> {
        EnvelopeResponse(try await store.warehouses().map(WarehouseDTO.init))
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<WarehouseDTO> {
        EnvelopeResponse(WarehouseDTO(try await store.warehouse(id: try Self.warehouseId(context))))
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<WarehouseDTO> {
        let id = try Self.warehouseId(context)
        let body = try await request.decodeJSON(PatchWarehouseRequest.self, context: context) { $0.problems() }
        return EnvelopeResponse(WarehouseDTO(try await store.updateWarehouse(id: id, body.change)), message: "Updated")
    }

    /// A malformed id is answered like an unknown one (404).
    static func warehouseId(_ context: ServiceRequestContext, parameter: String = "id") throws -> String {
        let raw = try context.parameters.require(parameter)
        guard let id = Identifier.canonical(raw) else { throw InventoryError.warehouseNotFound(id: raw) }
        return id
    }
}
