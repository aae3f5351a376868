import Foundation

/// A customer's profile: one per IAM user, keyed by the user id. `email` mirrors IAM (read-only here);
/// the names are nil until the registration event or the user sets them.
public struct Customer: Sendable, Equatable {
    public var userId: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var phoneNumber: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
}

/// Who a user token says the caller is: enough to create the profile when the registration event has not
/// arrived yet.
public struct TokenIdentity: Sendable, Equatable {
    public var userId: String
    public var email: String?

    public init(userId: String, email: String?) {
        self.userId = userId
        self.email = email
    }
}
