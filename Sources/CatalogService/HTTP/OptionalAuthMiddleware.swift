import Hummingbird
import ServiceKit

/// For `public` routes (API.md §1.4): a valid bearer token, if sent, puts its principal on the context
/// (administrators then see drafts); a missing, malformed or invalid one is ignored and the request
/// proceeds anonymously, exactly as without a token.
struct OptionalAuthMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let verifier: JWTVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let principal = try? await verifier.verify(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            return try await next(request, context)
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.subject)
        return try await next(request, context)
    }
}

extension ServiceRequestContext {
    /// Whether the (optional) caller is an administrator.
    var callerIsAdmin: Bool { principal?.isAdmin ?? false }
}
