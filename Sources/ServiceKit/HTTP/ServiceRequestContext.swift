import Hummingbird
import Logging
import NIOCore

/// The request context of every service: Hummingbird's core storage plus what ServiceKit's middleware
/// learns about a request (its id, the authenticated principal, the client address) and the body limit.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// X-Request-Id of the request, generated when the client sent none.
    public var requestId: String = ""
    /// Set by `AuthMiddleware` once a bearer token verified.
    public var principal: Principal?
    /// The socket peer's IP address.
    public let remoteAddress: String?
    /// The client's address: the peer, or the address a trusted proxy forwarded (`TRUSTED_PROXIES`), set
    /// by `ClientAddressMiddleware`. Rate limits and logs use this one.
    public var clientAddress: String?
    /// Bodies larger than this are refused with 413 before they are decoded.
    public var bodyLimit: Int = 1 << 20

    public var maxUploadSize: Int { bodyLimit }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = remoteAddress
    }

    /// The principal of an authenticated route; 401 when the route was reached without one.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("Authentication required") }
        return principal
    }

    /// The principal of a `user` route (API.md §1.4): a customer or an admin; service tokens are 403.
    public func requireUser() throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.roles.contains(Roles.customer) || principal.isAdmin else {
            throw APIError.forbidden("This needs a customer or admin token")
        }
        return principal
    }
}
