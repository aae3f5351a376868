import Foundation
import Hummingbird
import ServiceKit

/// `/customers/me` (the caller's profile) and `/customers/{userId}` (an admin's read).
struct ProfileRoutes: Sendable {
    let customers: Customers

    func register(on app: ServiceApp, access: RouteAccess) {
        app.route(.get, "/customers/me", doc: OperationDoc(
            "The caller's customer profile (created from the token if IAM's UserRegistered has not arrived yet)",
            tag: "customers", requiresAuth: true, response: CustomerDTO.fresh, errors: [403]),
            middleware: access.user, me)
        app.route(.put, "/customers/me", doc: OperationDoc(
            "Replace the caller's names and phone number (version optional: stale → 409)", tag: "customers",
            requiresAuth: true, request: ProfileUpdateRequest.example, response: CustomerDTO.example, errors: [403, 409]),
            middleware: access.user, updateMe)
        app.route(.get, "/customers/:userId", doc: OperationDoc(
            "A customer's profile (admin)", tag: "customers", requiresAuth: true, response: CustomerDTO.fresh, errors: [403, 404]),
            middleware: access.admin, customer)
    }

    @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CustomerDTO> {
        let customer = try await customers.profile(of: try RouteAccess.identity(context),
                                                   metadata: RouteAccess.metadata(request, context))
        return EnvelopeResponse(CustomerDTO(customer))
    }

    @Sendable func updateMe(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CustomerDTO> {
        let body = try await request.decodeJSON(ProfileUpdateRequest.self, context: context) { $0.change.problems }
        let customer = try await customers.updateProfile(of: try RouteAccess.identity(context), body.change,
                                                         metadata: RouteAccess.metadata(request, context))
        return EnvelopeResponse(CustomerDTO(customer), message: "Updated")
    }

    @Sendable func customer(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CustomerDTO> {
        EnvelopeResponse(CustomerDTO(try await customers.customer(userId: try RouteAccess.id("userId", context))))
    }
}
