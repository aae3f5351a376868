import Foundation
import ServiceKit

/// `PUT /customers/me`: replaces the names and the phone number (a missing phone number clears it).
public struct ProfileChange: Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var phoneNumber: String?
    /// Applied only if it equals the current version (optimistic concurrency); nil = last write wins.
    public var expectedVersion: Int?

    public static let nameLengths = 1...100
    public static let phoneMaxLength = 32

    /// Trimmed; an empty phone number is no phone number.
    public init(firstName: String, lastName: String, phoneNumber: String?, expectedVersion: Int?) {
        self.firstName = firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        self.lastName = lastName.trimmingCharacters(in: .whitespacesAndNewlines)
        let phone = phoneNumber?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.phoneNumber = (phone?.isEmpty ?? true) ? nil : phone
        self.expectedVersion = expectedVersion
    }

    /// Every rule the change breaks, one message per field.
    public var problems: [FieldError] {
        var check = Validator()
        check.require(Self.nameLengths.contains(firstName.count), "firstName", "must be 1 to 100 characters")
        check.require(!firstName.containsControlCharacters, "firstName", "must not contain control characters")
        check.require(Self.nameLengths.contains(lastName.count), "lastName", "must be 1 to 100 characters")
        check.require(!lastName.containsControlCharacters, "lastName", "must not contain control characters")
        if let phoneNumber {
            check.require(phoneNumber.count <= Self.phoneMaxLength, "phoneNumber", "must be at most 32 characters")
            // IAM's registration accepts parentheses too; a profile filled from it must stay savable.
            check.require(PhoneNumber.isPlausible(phoneNumber, allowing: "+- ()"), "phoneNumber",
                          "must be a phone number (digits, spaces, + - ( ))")
        }
        if let expectedVersion { check.require(expectedVersion >= 1, "version", "must be at least 1") }
        return check.errors
    }
}

enum PhoneNumber {
    /// Digits and the given punctuation only, with at least one digit.
    static func isPlausible(_ text: String, allowing punctuation: String) -> Bool {
        let allowed = Set(punctuation)
        return text.contains(where: \.isASCIIDigit) && text.allSatisfy { $0.isASCIIDigit || allowed.contains($0) }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// Control characters (newlines, NUL, escapes) have no place in a name or an address line.
    var containsControlCharacters: Bool {
        unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
