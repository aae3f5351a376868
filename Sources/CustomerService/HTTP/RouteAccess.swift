import Foundation
import Hummingbird
import ServiceKit

/// The middleware stacks of the customer routes (API.md §1.4 labels) and the helpers every handler uses.
struct RouteAccess: Sendable {
    /// `user` (and `owner` under `/customers/me`: the caller owns what the path names).
    let user: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>]
    /// `admin`.
    let admin: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>]
    /// `admin, svc:customer.read`.
    let reader: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>]

    init(verifier: JWTVerifier) {
        let authenticated = AuthMiddleware(verifier: verifier)
        user = [authenticated, AccessMiddleware(rule: .user)]
        admin = [AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)]
        reader = [authenticated, AccessMiddleware(rule: .adminOrScope(CustomerConfiguration.readScope))]
    }

    /// The caller of a `user` route, as the token names them.
    static func identity(_ context: ServiceRequestContext) throws -> TokenIdentity {
        let principal = try context.requirePrincipal()
        return TokenIdentity(userId: principal.subject, email: principal.email)
    }

    /// A UUID path parameter in canonical lowercase; a malformed one is 404, exactly like an unknown one.
    static func id(_ name: String, _ context: ServiceRequestContext) throws -> String {
        guard let raw = context.parameters.get(name), UUID(uuidString: raw) != nil else { throw APIError.notFound("Not found") }
        return raw.lowercased()
    }

    /// Envelope metadata of the events a request causes: the request id correlates them.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}
