import Hummingbird
import ServiceKit

/// Who may call a route, checked after `AuthMiddleware` verified the token and before the body is read.
/// (ServiceKit's `AuthMiddleware` takes one required role; these routes accept either of two.)
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    enum Rule: Sendable {
        /// `user`: a person's token (role `customer` or `admin`); service tokens are refused.
        case user
        /// `admin, svc:<scope>`: an administrator, or a client-credentials token holding the scope.
        case adminOrScope(String)
    }

    let rule: Rule

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal = try context.requirePrincipal()
        switch rule {
        case .user:
            guard principal.roles.contains(Roles.customer) || principal.isAdmin else {
                throw APIError.forbidden("This route acts on the caller's own customer data and needs a user's token")
            }
        case .adminOrScope(let scope):
            guard principal.isAdmin || (principal.roles.contains(Roles.service) && principal.scopes.contains(scope)) else {
                throw APIError.forbidden("This needs the admin role or a service token with the \(scope) scope")
            }
        }
        return try await next(request, context)
    }
}
