import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ServiceKit

/// IAM's HTTP API on top of the domain core: the route table, then one handler per route. Domain errors
/// are thrown as they are; `IAMError.apiError` decides what the client sees.
struct IAMRoutes: Sendable {
    let core: IAMCore
    let verifier: JWTVerifier
    /// Credential requests per client address.
    let loginLimiter: TokenBucketLimiter
    let accountThrottle: AccountLoginThrottle

    init(core: IAMCore, configuration: IAMConfiguration) {
        self.core = core
        // Access tokens are checked against the local key ring: IAM sees a rotation at most 1 s later.
        verifier = JWTVerifier(source: JWKSSource(description: "iam signing keys") { try await core.signingKeys.jwksJSON() },
                               issuer: configuration.issuer, audience: configuration.audience, minimumRefreshInterval: .seconds(1))
        loginLimiter = TokenBucketLimiter(burst: configuration.loginRateBurst, perSecond: Double(configuration.loginRatePerMinute) / 60)
        accountThrottle = AccountLoginThrottle(burst: configuration.accountFailedLoginBurst, perMinute: configuration.accountFailedLoginPerMinute)
    }

    func register(on app: ServiceApp) {
        let user = AuthMiddleware(verifier: verifier)
        let admin = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)
        let limited = RateLimitMiddleware(limiter: loginLimiter)

        app.route(.post, "/auth/register", doc: OperationDoc("Create a customer account", tag: "auth",
                  request: RegisterRequest.example, response: UserDTO.example, successStatus: 201, errors: [400, 409, 413, 415, 429],
                  links: [.init("LogIn", to: "postAuthLogin", requestBody: ["email": "$request.body#/email", "password": "$request.body#/password"])]),
                  middleware: [limited], registerUser)
        app.route(.post, "/auth/login", doc: OperationDoc("Log in with email and password", tag: "auth",
                  request: LoginRequest.example, response: TokenPairDTO.example, errors: [400, 401, 403, 429],
                  links: [.init("Refresh", to: "postAuthRefresh", requestBody: ["refreshToken": "$response.body#/data/refreshToken"]),
                          .init("LogOut", to: "postAuthLogout", requestBody: ["refreshToken": "$response.body#/data/refreshToken"])]),
                  middleware: [limited], login)
        app.route(.post, "/auth/refresh", doc: OperationDoc("Exchange a refresh token for a new pair (rotation)", tag: "auth",
                  request: RefreshRequest.example, response: TokenPairDTO.example, errors: [400, 401, 403],
                  links: [.init("RefreshAgain", to: "postAuthRefresh", requestBody: ["refreshToken": "$response.body#/data/refreshToken"])]),
                  middleware: [limited], refresh)
        app.route(.post, "/auth/logout", doc: OperationDoc("Revoke the session of a refresh token", tag: "auth",
                  request: RefreshRequest.example, errors: [400]), logout)
        app.route(.get, "/auth/me", doc: OperationDoc("The authenticated user", tag: "auth", requiresAuth: true,
                  response: UserDTO.example, errors: [404]), middleware: [user], me)
        app.route(.get, "/.well-known/jwks.json", doc: OperationDoc("Public signing keys (JWK set, RFC 7517)", tag: "discovery",
                  rawResponse: "application/json"), jwks)
        app.route(.get, "/.well-known/openid-configuration", doc: OperationDoc("OpenID provider metadata", tag: "discovery",
                  rawResponse: "application/json"), openIDConfiguration)
        app.route(.post, "/oauth2/token", doc: OperationDoc("OAuth2 token endpoint (RFC 6749): password, refresh_token, client_credentials", tag: "oauth2",
                  request: ["grant_type": "password", "username": "ada@example.com", "password": "correct horse battery"],
                  requestContentType: "application/x-www-form-urlencoded", requestSchema: OAuthTokenEndpoint.formSchema,
                  rawResponse: "application/json", errors: [400, 401, 415, 429]),
                  middleware: [limited], token)
        app.route(.get, "/admin/users", doc: OperationDoc("List users, paged (admin)", tag: "admin", requiresAuth: true,
                  response: UserPageDTO.example, errors: [400, 403],
                  query: [.integer("page", Self.pageRange, "page number, from 0"), .integer("size", Self.sizeRange, "users per page")]),
                  middleware: [admin], listUsers)
        app.route(.patch, "/admin/users/:id", doc: OperationDoc("Change a user's roles, enabled or locked flags (admin)", tag: "admin",
                  requiresAuth: true, request: UserPatchRequest.example, response: UserDTO.example, errors: [400, 403, 404, 409, 422]),
                  middleware: [admin], updateUser)
        app.route(.post, "/admin/keys/rotate", doc: OperationDoc("Rotate the token signing key now (admin)", tag: "admin",
                  requiresAuth: true, errors: [403]), middleware: [admin], rotateKeys)
    }

    // MARK: auth

    @Sendable func registerUser(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<UserDTO> {
        let policy = core.configuration.passwordPolicy
        let body = try await request.decodeJSON(RegisterRequest.self, context: context) { $0.registration.problems(policy: policy) }
        let user = try await core.accounts.register(body.registration, metadata: Self.metadata(request, context))
        return EnvelopeResponse(UserDTO(user), status: .created, message: "Registered", headers: [.location: "/admin/users/\(user.id)"])
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<TokenPairDTO> {
        let body = try await request.decodeJSON(LoginRequest.self, context: context)
        if let wait = accountThrottle.waitBeforeTrying(body.email) { throw APIError.tooManyRequests(retryAfterSeconds: wait) }
        let user = try await accountThrottle.attempt(body.email) {
            try await core.accounts.login(email: body.email, password: body.password, metadata: Self.metadata(request, context))
        }
        return EnvelopeResponse(TokenPairDTO(try await core.tokens.issueTokens(for: user)), message: "Logged in")
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<TokenPairDTO> {
        let body = try await request.decodeJSON(RefreshRequest.self, context: context)
        return EnvelopeResponse(TokenPairDTO(try await core.tokens.refresh(body.refreshToken)), message: "Refreshed")
    }

    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<EmptyPayload> {
        let body = try await request.decodeJSON(RefreshRequest.self, context: context)
        _ = try await core.tokens.logout(refreshToken: body.refreshToken)
        // Same answer whether or not the token was live: logout is idempotent and reveals nothing.
        return .message("Logged out")
    }

    @Sendable func me(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<UserDTO> {
        EnvelopeResponse(UserDTO(try await core.accounts.user(id: try context.requirePrincipal().subject)))
    }

    // MARK: discovery

    @Sendable func jwks(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=60"],
                 body: .init(byteBuffer: ByteBuffer(string: try await core.signingKeys.jwksJSON())))
    }

    @Sendable func openIDConfiguration(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let issuer = core.configuration.issuer
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
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(document))))
    }

    // MARK: oauth2

    @Sendable func token(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let form = try await request.decodeForm(context: context)
        return await OAuthTokenEndpoint(core: core, accountThrottle: accountThrottle)
            .answer(form: form, authorization: request.headers[.authorization], metadata: Self.metadata(request, context))
    }

    // MARK: admin

    @Sendable func listUsers(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<UserPageDTO> {
        var check = Validator()
        let page = check.integer(request.uri.queryParameters.get("page"), "page", default: 0, range: Self.pageRange)
        let size = check.integer(request.uri.queryParameters.get("size"), "size", default: 20, range: Self.sizeRange)
        try check.finish()
        let result = try await core.accounts.listUsers(page: page, size: size)
        return EnvelopeResponse(UserPageDTO(items: result.users.map { UserDTO($0) }, page: result.page, size: result.size, total: result.totalCount))
    }

    @Sendable func updateUser(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<UserDTO> {
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(UserPatchRequest.self, context: context)
        var check = Validator()
        let roles = body.roles.map { names in Set(names.compactMap(Role.init(rawValue:))) }
        if let names = body.roles {
            check.require(roles?.count == Set(names).count, "roles", "must be among \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try check.finish()
        let user = try await core.accounts.updateUser(id: id, change: UserAccountChange(roles: roles, enabled: body.enabled, locked: body.locked),
                                                      actorId: try context.requirePrincipal().subject, metadata: Self.metadata(request, context))
        return EnvelopeResponse(UserDTO(user), message: "Updated")
    }

    @Sendable func rotateKeys(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<KeyRotationDTO> {
        try await core.signingKeys.rotate()
        let kid = try await core.signingKeys.currentKid()
        return EnvelopeResponse(KeyRotationDTO(kid: kid, publishedKids: try await core.signingKeys.publishedKids()), message: "Rotated")
    }

    /// The paging bounds the validation applies and the document states.
    static let pageRange = 0...1_000_000
    static let sizeRange = 1...100

    /// Envelope metadata of events a request causes: the request id correlates them, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}

extension RegisterRequest {
    var registration: Registration {
        Registration(email: email, password: password, firstName: firstName, lastName: lastName, phoneNumber: phoneNumber)
    }
}
