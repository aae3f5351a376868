/// What a principal may do. Users are `customer` and/or `admin`; `service` is for OAuth2 clients and
/// accounts of other services.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case customer
    case admin
    case service

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Sorted raw values, the stored and published form.
    static func names(_ roles: Set<Role>) -> [String] { roles.sorted().map(\.rawValue) }
}
