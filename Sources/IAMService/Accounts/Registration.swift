/// A self-registration request (the register body: `{email, password, firstName, lastName, phoneNumber}`).
public struct Registration: Sendable, Equatable {
    public var email: String
    public var password: String
    public var firstName: String
    public var lastName: String
    public var phoneNumber: String?

    public init(email: String, password: String, firstName: String, lastName: String, phoneNumber: String? = nil) {
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
    }
}
