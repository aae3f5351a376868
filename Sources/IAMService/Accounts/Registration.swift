import Foundation
import ServiceKit

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

    /// Every rule the request breaks, one message per field (empty when it is acceptable).
    public func problems(policy: PasswordPolicy) -> [FieldError] {
        let trimmedPhone = phoneNumber?.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = EmailAddress.problems(with: EmailAddress.normalize(email))
        problems += policy.problems(with: password)
        problems += IAMAccounts.nameProblems(firstName.trimmingCharacters(in: .whitespacesAndNewlines), field: "firstName")
        problems += IAMAccounts.nameProblems(lastName.trimmingCharacters(in: .whitespacesAndNewlines), field: "lastName")
        if let trimmedPhone, !trimmedPhone.isEmpty, !IAMAccounts.isPlausiblePhone(trimmedPhone) {
            problems.append(FieldError(field: "phoneNumber", message: "must be a phone number (digits, spaces, + - ( ))"))
        }
        return problems
    }
}
