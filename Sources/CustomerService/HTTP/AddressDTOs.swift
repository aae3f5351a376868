import Foundation
import ServiceKit

/// An address-book entry on the wire (API.md §2 "Address").
struct AddressDTO: Codable, Sendable {
    var id: String
    var label: String?
    var recipientName: String
    var phone: String?
    var line1: String
    var line2: String?
    var city: String
    var state: String?
    var postalCode: String
    var country: String
    var isDefaultShipping: Bool
    var isDefaultBilling: Bool
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ address: Address) {
        id = address.id
        label = address.label
        recipientName = address.recipientName
        phone = address.phone
        line1 = address.line1
        line2 = address.line2
        city = address.city
        state = address.state
        postalCode = address.postalCode
        country = address.country
        isDefaultShipping = address.isDefaultShipping
        isDefaultBilling = address.isDefaultBilling
        createdAt = address.createdAt
        updatedAt = address.updatedAt
        version = address.version
    }

    enum CodingKeys: String, CodingKey {
        case id, label, recipientName, phone, line1, line2, city, state, postalCode, country, isDefaultShipping, isDefaultBilling
        case createdAt, updatedAt, version
    }

    /// Every field is always present: an optional text not given is `null`, not left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(label, forKey: .label)
        try container.encode(recipientName, forKey: .recipientName)
        try container.encode(phone, forKey: .phone)
        try container.encode(line1, forKey: .line1)
        try container.encode(line2, forKey: .line2)
        try container.encode(city, forKey: .city)
        try container.encode(state, forKey: .state)
        try container.encode(postalCode, forKey: .postalCode)
        try container.encode(country, forKey: .country)
        try container.encode(isDefaultShipping, forKey: .isDefaultShipping)
        try container.encode(isDefaultBilling, forKey: .isDefaultBilling)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }

    static var example: AddressDTO {
        let created = Date(timeIntervalSince1970: 1_764_000_000)
        return AddressDTO(Address(
            // The optional texts are null: the documented schema comes from this example, and null says "may be null".
            id: "0193a3c5-0000-7000-8000-00000000a001", userId: "0193a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", label: nil,
            recipientName: "Ada Lovelace", phone: nil, line1: "12 St James's Square", line2: nil,
            city: "London", state: nil, postalCode: "SW1Y 4JH", country: "GB", isDefaultShipping: true,
            isDefaultBilling: true, createdAt: created, updatedAt: created, version: 1))
    }
}

/// AddressInput (API.md §2), the body of POST and PUT; `version` is read by PUT only.
struct AddressRequest: Codable, Sendable, ValidatedBody {
    var label: String?
    var recipientName: String
    var phone: String?
    var line1: String
    var line2: String?
    var city: String
    var state: String?
    var postalCode: String
    var country: String
    var isDefaultShipping: Bool?
    var isDefaultBilling: Bool?
    var version: Int?

    var input: AddressInput {
        AddressInput(label: label, recipientName: recipientName, phone: phone, line1: line1, line2: line2, city: city,
                     state: state, postalCode: postalCode, country: country, isDefaultShipping: isDefaultShipping ?? false,
                     isDefaultBilling: isDefaultBilling ?? false)
    }

    /// The shape of each field as the document states it; `AddressInput.problems` (which the service
    /// applies to every address, whatever its source) checks the same limits.
    static let rules: [FieldRule<Self>] = [
        .text("label", \.label, length: 0...50),
        .text("recipientName", \.recipientName, length: 1...100),
        .text("phone", \.phone, length: 0...32, pattern: "[-+ ]*[0-9][-+ 0-9]*", patternMessage: "must be a phone number (digits, spaces, + and -)"),
        .text("line1", \.line1, length: 1...200),
        .text("line2", \.line2, length: 0...200),
        .text("city", \.city, length: 1...100),
        .text("state", \.state, length: 0...100),
        .text("postalCode", \.postalCode, length: 1...20),
        .oneOf("country", \.country, CountryCode.all.sorted()),
        .integer("version", \.version, 1...Int64(Int32.max)),
    ]

    /// The rules, plus `version` (PUT only).
    var problems: [FieldError] {
        var problems = input.problems
        if let version, version < 1 { problems.append(FieldError(field: "version", message: "must be at least 1")) }
        return problems
    }

    static let example = AddressRequest(
        label: "Home", recipientName: "Ada Lovelace", phone: "+44 20 7946 0000", line1: "12 St James's Square", line2: "Flat 3",
        city: "London", state: "Greater London", postalCode: "SW1Y 4JH", country: "GB", isDefaultShipping: true,
        isDefaultBilling: true, version: nil)

    static let updateExample = AddressRequest(
        label: "Home", recipientName: "Ada Lovelace", phone: "+44 20 7946 0000", line1: "12 St James's Square", line2: "Flat 4",
        city: "London", state: "Greater London", postalCode: "SW1Y 4JH", country: "GB", isDefaultShipping: true,
        isDefaultBilling: true, version: 1)
}
