import Hummingbird

/// Requires a valid bearer token on every route behind it and puts the principal on the context;
/// optionally a role. Missing, malformed, expired, badly signed or unknown-key tokens all get 401.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let verifier: JWTVerifier
    let requiredRole: String?

    public init(verifier: JWTVerifier, requiredRole: String? = nil) {
        self.verifier = verifier
        self.requiredRole = requiredRole
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("Authentication required: send Authorization: Bearer <access token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("Use the Bearer authorization scheme")
        }
        let principal = try await verifier.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
        if let requiredRole { try principal.requireRole(requiredRole) }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.subject)
        return try await next(request, context)
    }
}
