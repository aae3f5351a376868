import Foundation

/// A user account was created (self-registration or the seeded admin).
public struct UserRegistered: DomainEvent, Equatable {
    public static let eventType = "UserRegistered"
    public static let eventVersion = 1
    public static let aggregateType = "user"
    public static let topic = Topics.iamUser

    public var userId: String
    public var email: String
    public var roles: [String]
    public var registeredAt: Date
    /// The names given at registration, so the customer profile starts with them. Optional: added within
    /// version 1 (an additive change), so payloads written before them still decode, without names.
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    public var aggregateId: String { userId }

    public init(userId: String, email: String, roles: [String], registeredAt: Date, firstName: String? = nil,
                lastName: String? = nil, phoneNumber: String? = nil) {
        self.userId = userId
        self.email = email
        self.roles = roles
        self.registeredAt = registeredAt
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
    }
}

/// An administrator changed a user's roles.
public struct UserRoleChanged: DomainEvent, Equatable {
    public static let eventType = "UserRoleChanged"
    public static let eventVersion = 1
    public static let aggregateType = "user"
    public static let topic = Topics.iamUser

    public var userId: String
    public var oldRoles: [String]
    public var newRoles: [String]
    public var changedBy: String?
    public var aggregateId: String { userId }

    public init(userId: String, oldRoles: [String], newRoles: [String], changedBy: String?) {
        self.userId = userId
        self.oldRoles = oldRoles
        self.newRoles = newRoles
        self.changedBy = changedBy
    }
}

/// A user's account flags changed: disabled or enabled by an admin, locked after failed logins, unlocked.
public struct UserAccountStatusChanged: DomainEvent, Equatable {
    public static let eventType = "UserAccountStatusChanged"
    public static let eventVersion = 1
    public static let aggregateType = "user"
    public static let topic = Topics.iamUser

    public var userId: String
    public var enabled: Bool
    public var locked: Bool
    public var expired: Bool
    public var credentialsExpired: Bool
    public var reason: String
    public var aggregateId: String { userId }

    public init(userId: String, enabled: Bool, locked: Bool, expired: Bool, credentialsExpired: Bool, reason: String) {
        self.userId = userId
        self.enabled = enabled
        self.locked = locked
        self.expired = expired
        self.credentialsExpired = credentialsExpired
        self.reason = reason
    }
}
