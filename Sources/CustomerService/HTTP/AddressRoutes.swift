import Foundation
import Hummingbird
import ServiceKit

/// The caller's address book under `/customers/me/addresses`, and the reads of anyone's book for admins
/// and for services holding `customer.read` (the order service's read-through). There is no route that
/// writes another user's book: `POST /customers/{userId}/addresses` answers 405.
struct AddressRoutes: Sendable {
    let customers: Customers

    func register(on app: ServiceApp, access: RouteAccess) {
        app.route(.get, "/customers/me/addresses", doc: OperationDoc(
            "The caller's addresses: the default shipping address first, then oldest first", tag: "addresses",
            requiresAuth: true, response: [AddressDTO.example], errors: [403]),
            middleware: access.user, list)
        app.route(.post, "/customers/me/addresses", doc: OperationDoc(
            "Add an address (the first one becomes default shipping and billing; a flag set here moves from the address holding it)",
            tag: "addresses", requiresAuth: true, request: AddressRequest.example, response: AddressDTO.example,
            successStatus: 201, errors: [403, 422]),
            middleware: access.user, add)
        app.route(.get, "/customers/me/addresses/:addressId", doc: OperationDoc(
            "One of the caller's addresses", tag: "addresses", requiresAuth: true, response: AddressDTO.example, errors: [403, 404]),
            middleware: access.user, get)
        app.route(.put, "/customers/me/addresses/:addressId", doc: OperationDoc(
            "Replace one of the caller's addresses (full replace: flags left out are cleared; version optional: stale → 409)",
            tag: "addresses", requiresAuth: true, request: AddressRequest.updateExample, response: AddressDTO.example,
            errors: [403, 404, 409]),
            middleware: access.user, replace)
        app.route(.delete, "/customers/me/addresses/:addressId", doc: OperationDoc(
            "Delete one of the caller's addresses (deleting a default leaves none of that kind)", tag: "addresses",
            requiresAuth: true, errors: [403, 404]),
            middleware: access.user, remove)
        app.route(.get, "/customers/:userId/addresses", doc: OperationDoc(
            "A customer's addresses (admin, or a service token with customer.read)", tag: "addresses", requiresAuth: true,
            response: [AddressDTO.example], errors: [403, 404]),
            middleware: access.reader, listOfCustomer)
        app.route(.get, "/customers/:userId/addresses/:addressId", doc: OperationDoc(
            "One address of a customer (admin, or a service token with customer.read); 404 when it is another user's",
            tag: "addresses", requiresAuth: true, response: AddressDTO.example, errors: [403, 404]),
            middleware: access.reader, getOfCustomer)
    }

    // MARK: the caller's own book

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[AddressDTO]> {
        let addresses = try await customers.addressBook(of: try RouteAccess.identity(context).userId)
        return EnvelopeResponse(addresses.map(AddressDTO.init))
    }

    @Sendable func add(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<AddressDTO> {
        let body = try await request.decodeJSON(AddressRequest.self, context: context) { $0.input.problems }
        let address = try await customers.addAddress(for: try RouteAccess.identity(context), body.input,
                                                     metadata: RouteAccess.metadata(request, context))
        return EnvelopeResponse(AddressDTO(address), status: .created, message: "Created",
                                headers: [.location: "/customers/me/addresses/\(address.id)"])
    }

    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<AddressDTO> {
        let address = try await customers.address(id: try RouteAccess.id("addressId", context),
                                                  of: try RouteAccess.identity(context).userId)
        return EnvelopeResponse(AddressDTO(address))
    }

    @Sendable func replace(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<AddressDTO> {
        // API.md §1.5: the body is validated (400) before the id is looked at (404).
        let body = try await request.decodeJSON(AddressRequest.self, context: context) { $0.problems }
        let id = try RouteAccess.id("addressId", context)
        let address = try await customers.replaceAddress(id: id, of: try RouteAccess.identity(context).userId, body.input,
                                                         expectedVersion: body.version,
                                                         metadata: RouteAccess.metadata(request, context))
        return EnvelopeResponse(AddressDTO(address), message: "Updated")
    }

    @Sendable func remove(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<EmptyPayload> {
        let id = try RouteAccess.id("addressId", context)
        try await customers.removeAddress(id: id, of: try RouteAccess.identity(context).userId,
                                          metadata: RouteAccess.metadata(request, context))
        return .message("Deleted")
    }

    // MARK: anyone's book (admin, services)

    @Sendable func listOfCustomer(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[AddressDTO]> {
        let addresses = try await customers.addressBook(ofCustomer: try RouteAccess.id("userId", context))
        return EnvelopeResponse(addresses.map(AddressDTO.init))
    }

    @Sendable func getOfCustomer(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<AddressDTO> {
        let userId = try RouteAccess.id("userId", context)
        let address = try await customers.address(id: try RouteAccess.id("addressId", context), of: userId)
        return EnvelopeResponse(AddressDTO(address))
    }
}
