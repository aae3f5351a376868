import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ServiceKit

/// IAM's HTTP API on top of the domain core.
struct IAMRoutes: Sendable {
    let core: IAMCore
    let verifier: JWTVerifier
    let loginLimiter: TokenBucketLimiter

    func register(on app: ServiceApp) {
        let auth = AuthMiddleware(verifier: verifier)
        let adminOnly = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)
        let limited = RateLimitMiddleware(limiter: loginLimiter)
        let core = core

        app.route(.post, "/auth/register", doc: OperationDoc("Create a customer account", tag: "auth",
                  request: RegisterRequest.example, response: UserDTO.example, successStatus: 201, errors: [400, 409, 413, 415, 429]),
                  middleware: [limited]) { request, context in
            let body = try await request.decodeJSON(RegisterRequest.self, context: context)
            let user = try await mapped {
                try await core.accounts.register(
                    Registration(email: body.email, password: body.password, firstName: body.firstName,
                                 lastName: body.lastName, phoneNumber: body.phoneNumber),
                    metadata: Self.metadata(request, context))
            }
            return EnvelopeResponse(UserDTO(user), status: .created, message: "Registered",
                                    headers: [.location: "/admin/users/\(user.id)"])
        }

        app.route(.post, "/auth/login", doc: OperationDoc("Log in with email and password", tag: "auth",
                  request: LoginRequest.example, response: TokenPairDTO.example, errors: [400, 401, 403, 429]),
                  middleware: [limited]) { request, context in
            let body = try await request.decodeJSON(LoginRequest.self, context: context)
            let tokens = try await mapped {
                let user = try await core.accounts.login(email: body.email, password: body.password, metadata: Self.metadata(request, context))
                return try await core.tokens.issueTokens(for: user)
            }
            return EnvelopeResponse(TokenPairDTO(tokens), message: "Logged in")
        }

        app.route(.post, "/auth/refresh", doc: OperationDoc("Exchange a refresh token for a new pair (rotation)", tag: "auth",
                  request: RefreshRequest.example, response: TokenPairDTO.example, errors: [400, 401]),
                  middleware: [limited]) { request, context in
            let body = try await request.decodeJSON(RefreshRequest.self, context: context)
            let tokens = try await mapped { try await core.tokens.refresh(body.refreshToken) }
            return EnvelopeResponse(TokenPairDTO(tokens), message: "Refreshed")
        }

        app.route(.post, "/auth/logout", doc: OperationDoc("Revoke the session of a refresh token", tag: "auth",
                  request: RefreshRequest.example, errors: [400])) { request, context in
            let body = try await request.decodeJSON(RefreshRequest.self, context: context)
            _ = try await mapped { try await core.tokens.logout(refreshToken: body.refreshToken) }
            // Same answer whether or not the token was live: logout is idempotent and reveals nothing.
            return EnvelopeResponse<EmptyPayload>.message("Logged out")
        }

        app.route(.get, "/auth/me", doc: OperationDoc("The authenticated user", tag: "auth", requiresAuth: true,
                  response: UserDTO.example, errors: [404]), middleware: [auth]) { _, context in
            let principal = try context.requirePrincipal()
            let user = try await mapped { try await core.accounts.user(id: principal.subject) }
            return EnvelopeResponse(UserDTO(user))
        }

        app.route(.get, "/.well-known/jwks.json", doc: OperationDoc("Public signing keys (JWK set)", tag: "discovery")) { _, _ in
            let json = try await mapped { try await core.signingKeys.jwksJSON() }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=60"],
                            body: .init(byteBuffer: ByteBuffer(string: json)))
        }

        let issuer = core.configuration.issuer
        app.route(.get, "/.well-known/openid-configuration", doc: OperationDoc("OpenID provider metadata", tag: "discovery")) { _, _ in
            let document: JSONValue = [
                "issuer": .string(issuer),
                "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
                "token_endpoint": .string(issuer + "/oauth2/token"),
                "grant_types_supported": ["password", "refresh_token", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "id_token_signing_alg_values_supported": ["ES256"],
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
            ]
            let data = try JSONEncoder().encode(document)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        app.route(.post, "/oauth2/token", doc: OperationDoc("OAuth2 token endpoint (RFC 6749): password, refresh_token, client_credentials", tag: "oauth2",
                  request: ["grant_type": "password", "username": "ada@example.com", "password": "correct horse battery"],
                  requestContentType: "application/x-www-form-urlencoded", errors: [400, 401, 415, 429]),
                  middleware: [limited]) { request, context in
            let form = try await request.decodeForm(context: context)
            return await OAuthTokenEndpoint(core: core).answer(form: form, authorization: request.headers[.authorization],
                                                               metadata: Self.metadata(request, context))
        }

        app.route(.get, "/admin/users", doc: OperationDoc("List users, paged (admin)", tag: "admin", requiresAuth: true,
                  response: UserPageDTO.example, errors: [400, 403]), middleware: [adminOnly]) { request, _ in
            let page = request.uri.queryParameters.get("page", as: Int.self) ?? 0
            let size = request.uri.queryParameters.get("size", as: Int.self) ?? 20
            var check = Validator()
            check.require(page >= 0, "page", "must be 0 or more")
            check.require((1...200).contains(size), "size", "must be between 1 and 200")
            try check.finish()
            let result = try await mapped { try await core.accounts.listUsers(page: page, size: size) }
            return EnvelopeResponse(UserPageDTO(items: result.users.map { UserDTO($0) }, page: result.page, size: result.size, total: result.totalCount))
        }

        app.route(.patch, "/admin/users/:id", doc: OperationDoc("Change a user's roles, enabled or locked flags (admin)", tag: "admin",
                  requiresAuth: true, request: UserPatchRequest.example, response: UserDTO.example, errors: [400, 403, 404, 409, 422]),
                  middleware: [adminOnly]) { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.decodeJSON(UserPatchRequest.self, context: context)
            var check = Validator()
            let roles = body.roles.map { names in Set(names.compactMap(Role.init(rawValue:))) }
            if let names = body.roles {
                check.require(roles?.count == Set(names).count, "roles", "must be among \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            check.require(body.roles != nil || body.enabled != nil || body.locked != nil, "body", "must change roles, enabled or locked")
            try check.finish()
            let actor = try context.requirePrincipal().subject
            let user = try await mapped {
                try await core.accounts.updateUser(id: id, change: UserAccountChange(roles: roles, enabled: body.enabled, locked: body.locked),
                                                   actorId: actor, metadata: Self.metadata(request, context))
            }
            return EnvelopeResponse(UserDTO(user), message: "Updated")
        }

        app.route(.post, "/admin/keys/rotate", doc: OperationDoc("Rotate the token signing key now (admin)", tag: "admin",
                  requiresAuth: true, errors: [403]), middleware: [adminOnly]) { _, _ in
            let (kid, kids) = try await mapped {
                try await core.signingKeys.rotate()
                return (try await core.signingKeys.currentKid(), try await core.signingKeys.publishedKids())
            }
            return EnvelopeResponse(KeyRotationDTO(kid: kid, publishedKids: kids), message: "Rotated")
        }
    }

    /// Envelope metadata of events a request causes: the request id correlates them, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata(correlationId: context.requestId, causationId: context.requestId, traceparent: request.headers[.traceparent])
    }
}
