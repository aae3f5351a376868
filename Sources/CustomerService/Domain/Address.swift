import Contracts
import ServiceKit
import Foundation

/// One entry of a customer's address book.
public struct Address: Sendable, Equatable {
    public var id: String
    public var userId: String
    public var label: String?
    public var recipientName: String
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var city: String
    public var state: String?
    public var postalCode: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    public var isDefaultShipping: Bool
    public var isDefaultBilling: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    /// The postal address alone, as an order copies it.
    public var snapshot: AddressSnapshot {
        AddressSnapshot(addressId: id, recipientName: recipientName, phone: phone, line1: line1, line2: line2, city: city,
                        state: state, postalCode: postalCode, country: country)
    }

    /// The address as the address-book events carry it.
    public var entry: AddressBookEntry {
        AddressBookEntry(addressId: id, label: label, address: snapshot, isDefaultShipping: isDefaultShipping,
                         isDefaultBilling: isDefaultBilling, version: version)
    }
}

/// The body of `POST /customers/me/addresses` and `PUT /customers/me/addresses/{id}` (a full replace:
/// what is left out is cleared, flags included).
public struct AddressInput: Sendable, Equatable {
    public var label: String?
    public var recipientName: String
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var city: String
    public var state: String?
    public var postalCode: String
    public var country: String
    public var isDefaultShipping: Bool
    public var isDefaultBilling: Bool

    /// Trims every text; an empty optional text is no text.
    public init(label: String? = nil, recipientName: String, phone: String? = nil, line1: String, line2: String? = nil,
                city: String, state: String? = nil, postalCode: String, country: String, isDefaultShipping: Bool = false,
                isDefaultBilling: Bool = false) {
        func optional(_ text: String?) -> String? {
            let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
            return (trimmed?.isEmpty ?? true) ? nil : trimmed
        }
        func required(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.label = optional(label)
        self.recipientName = required(recipientName)
        self.phone = optional(phone)
        self.line1 = required(line1)
        self.line2 = optional(line2)
        self.city = required(city)
        self.state = optional(state)
        self.postalCode = required(postalCode)
        // Not upper-cased on the client's behalf: the contract asks for upper case, and "gb" is refused.
        self.country = required(country)
        self.isDefaultShipping = isDefaultShipping
        self.isDefaultBilling = isDefaultBilling
    }

    /// The rules of API.md §2's AddressInput, one message per field.
    public var problems: [FieldError] {
        var check = FieldChecks()
        check.text(recipientName, "recipientName", required: 1...100)
        check.text(line1, "line1", required: 1...200)
        check.text(city, "city", required: 1...100)
        check.text(postalCode, "postalCode", required: 1...20)
        check.optionalText(label, "label", maxLength: 50)
        check.optionalText(line2, "line2", maxLength: 200)
        check.optionalText(state, "state", maxLength: 100)
        check.optionalText(phone, "phone", maxLength: 32)
        if let phone, check.isFine("phone") {
            check.require(PhoneNumber.isPlausible(phone, allowing: "+- "), "phone", "must be a phone number (digits, spaces, + and -)")
        }
        if country.isEmpty {
            check.require(false, "country", "is required")
        } else {
            check.require(CountryCode.isAssigned(country), "country",
                          "must be an ISO 3166-1 alpha-2 country code in upper case, such as GB or DE")
        }
        return check.errors
    }
}

/// Field checks shared by the address rules: lengths in characters, no control characters.
struct FieldChecks {
    private(set) var errors: [FieldError] = []

    func isFine(_ field: String) -> Bool { !errors.contains { $0.field == field } }

    mutating func require(_ condition: Bool, _ field: String, _ message: String) {
        if !condition, isFine(field) { errors.append(FieldError(field: field, message: message)) }
    }

    mutating func text(_ value: String, _ field: String, required lengths: ClosedRange<Int>) {
        require(!value.isEmpty, field, "is required")
        require(lengths.contains(value.count), field, "must be \(lengths.lowerBound) to \(lengths.upperBound) characters")
        require(!value.containsControlCharacters, field, "must not contain control characters")
    }

    mutating func optionalText(_ value: String?, _ field: String, maxLength: Int) {
        guard let value else { return }
        require(value.count <= maxLength, field, "must be at most \(maxLength) characters")
        require(!value.containsControlCharacters, field, "must not contain control characters")
    }
}
