import Foundation

/// A customer profile came into being (key: user id), from IAM's `UserRegistered` or from the user's
/// first request, whichever came first; exactly one per user. The order service keeps a customer
/// snapshot (name, email, phone) for checkout from these.
public struct CustomerProfileCreated: DomainEvent, Equatable {
    public static let eventType = "CustomerProfileCreated"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    /// Mirrors IAM; nil only when neither the registration event nor the token carried one yet.
    public var email: String?
    /// Names are nil until known (a profile created from a token before `UserRegistered` arrived).
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    /// The profile's version (1 on creation, +1 per change), so consumers can drop stale updates.
    public var version: Int
    public var createdAt: Date
    public var aggregateId: String { userId }

    public init(userId: String, email: String?, firstName: String?, lastName: String?, phoneNumber: String?,
                version: Int, createdAt: Date) {
        self.userId = userId
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.version = version
        self.createdAt = createdAt
    }
}

/// A customer profile changed (key: user id): the user replaced names and phone, or the registration
/// event filled names still missing. Carries the whole profile after the change, not a diff.
public struct CustomerProfileUpdated: DomainEvent, Equatable {
    public static let eventType = "CustomerProfileUpdated"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    public var version: Int
    public var updatedAt: Date
    public var aggregateId: String { userId }

    public init(userId: String, email: String?, firstName: String?, lastName: String?, phoneNumber: String?,
                version: Int, updatedAt: Date) {
        self.userId = userId
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.version = version
        self.updatedAt = updatedAt
    }
}
