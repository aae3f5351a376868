import Contracts
import Foundation

/// One row of `app_user`, as IAM's core hands it out. The HTTP layer maps it to its own DTO; the password
/// hash is internal to the module.
public struct UserAccount: Sendable, Equatable {
    public var id: String
    /// Case-folded (lowercased) email; also the login name.
    public var email: String
    public var firstName: String
    public var lastName: String
    public var phoneNumber: String?
    public var roles: Set<Role>
    /// Spring-Security-style flags, as in the seed. `accountNonLocked == false` is an admin lock.
    public var enabled: Bool
    public var accountNonLocked: Bool
    public var accountNonExpired: Bool
    public var credentialsNonExpired: Bool
    public var failedLoginCount: Int
    /// End of an automatic lockout after too many failed logins.
    public var lockedUntil: Date?
    public var lastLoginAt: Date?
    public var passwordChangedAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    /// Incremented by every change; admins may pass it back for optimistic concurrency.
    public var version: Int
    var passwordHash: String

    /// Locked by an admin, or inside an automatic lockout at `now`.
    public func isLocked(at now: Date) -> Bool {
        !accountNonLocked || (lockedUntil.map { $0 > now } ?? false)
    }

    /// An enabled, unlocked administrator (the kind the last one of must stay).
    func isActiveAdmin(at now: Date) -> Bool {
        roles.contains(.admin) && enabled && !isLocked(at: now)
    }

    /// The flags as published in `UserAccountStatusChanged`.
    func statusChanged(at now: Date, reason: String) -> UserAccountStatusChanged {
        UserAccountStatusChanged(
            userId: id, enabled: enabled, locked: isLocked(at: now), expired: !accountNonExpired,
            credentialsExpired: !credentialsNonExpired, reason: reason)
    }
}
