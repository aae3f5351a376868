/// Who a verified access token speaks for.
public struct Principal: Sendable, Equatable {
    /// `sub`: a user id, or a client id for client-credentials tokens.
    public var subject: String
    public var roles: Set<String>
    public var scopes: Set<String>
    public var email: String?

    public init(subject: String, roles: Set<String>, scopes: Set<String>, email: String? = nil) {
        self.subject = subject
        self.roles = roles
        self.scopes = scopes
        self.email = email
    }

    public var isAdmin: Bool { roles.contains(Roles.admin) }

    public func requireRole(_ role: String) throws {
        guard roles.contains(role) else { throw APIError.forbidden("This needs the \(role) role") }
    }

    public func requireScope(_ scope: String) throws {
        guard scopes.contains(scope) else { throw APIError.forbidden("This needs the \(scope) scope") }
    }

    /// Ownership: a user reaches only their own resources; admins reach everyone's, but only where the
    /// route says so explicitly (`allowAdmin`).
    public func requireOwner(_ ownerId: String, allowAdmin: Bool) throws {
        if subject == ownerId { return }
        if allowAdmin, isAdmin { return }
        // 404 rather than 403, so ids of other users' resources cannot be probed.
        throw APIError.notFound("Not found")
    }
}

public enum Roles {
    public static let customer = "customer"
    public static let admin = "admin"
    public static let service = "service"
}
