import Hummingbird
import ServiceKit

/// The `user`, `svc:<scope>` and `admin` labels of API.md §1.4 for routes open to more than one kind of
/// caller. Runs after `AuthMiddleware` (which answers 401); a caller that fits none of the kinds gets 403
/// before the body is read.
struct AccessRule: RouterMiddleware {
    typealias Context = ServiceRequestContext

    enum Rule: Sendable {
        /// A user token (customer or admin), or a service token holding `scope`.
        case userOrService(scope: String)
        /// A service token holding `scope`, or an admin.
        case serviceOrAdmin(scope: String)
    }

    let rule: Rule

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal = try context.requirePrincipal()
        switch rule {
        case .userOrService(let scope):
            if principal.isAdmin || principal.roles.contains(Roles.customer) { break }
            try requireService(principal, scope: scope)
        case .serviceOrAdmin(let scope):
            if principal.isAdmin { break }
            try requireService(principal, scope: scope)
        }
        return try await next(request, context)
    }

    private func requireService(_ principal: Principal, scope: String) throws {
        guard principal.roles.contains(Roles.service) else { throw APIError.forbidden("This needs the \(scope) scope or the admin role") }
        try principal.requireScope(scope)
    }
}
