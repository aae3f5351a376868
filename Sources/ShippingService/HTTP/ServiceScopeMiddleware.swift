import Hummingbird
import ServiceKit

/// `svc:<scope>` routes (API.md §1.4): a client-credentials token (role `service`) holding `scope`, or an
/// administrator. Runs after `AuthMiddleware`, so a missing scope is 403 before the body is read.
///
/// ServiceKit's `AuthMiddleware` checks one role only; this is the scope half, a candidate to move there.
struct ServiceScopeMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let scope: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.isAdmin || (principal.roles.contains(Roles.service) && principal.scopes.contains(scope)) else {
            throw APIError.forbidden("This needs a service token with the \(scope) scope, or an administrator")
        }
        return try await next(request, context)
    }
}

/// The scopes shipping's routes require (IAM's `IAM_SERVICE_CLIENTS` grants them).
enum ShippingScopes {
    /// The HTTP form of the saga step (`POST /shipping/schedule`), for ops tools.
    static let write = "shipping.write"
    /// The carrier's event endpoint.
    static let carrier = "shipping.carrier"
}
