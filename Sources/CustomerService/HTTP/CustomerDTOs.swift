import Foundation
import ServiceKit

/// A customer profile on the wire (API.md §2 "Customer").
struct CustomerDTO: Codable, Sendable {
    var userId: String
    var email: String?
    var firstName: String?
    var lastName: String?
    var phoneNumber: String?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ customer: Customer) {
        userId = customer.userId
        email = customer.email
        firstName = customer.firstName
        lastName = customer.lastName
        phoneNumber = customer.phoneNumber
        createdAt = customer.createdAt
        updatedAt = customer.updatedAt
        version = customer.version
    }

    enum CodingKeys: String, CodingKey { case userId, email, firstName, lastName, phoneNumber, createdAt, updatedAt, version }

    /// Every field is always present: a name not known yet is `null`, not left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userId, forKey: .userId)
        try container.encode(email, forKey: .email)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(phoneNumber, forKey: .phoneNumber)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }

    // The documented schema is derived from the example, and a `null` there is the only way to say "may
    // be null": so each example holds null wherever a real answer can.

    /// After `PUT /customers/me`: names set, no phone number.
    static var example: CustomerDTO {
        let created = Date(timeIntervalSince1970: 1_764_000_000)
        return CustomerDTO(Customer(userId: "0193a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", email: "ada@example.com", firstName: "Ada",
                                    lastName: "Lovelace", phoneNumber: nil, createdAt: created,
                                    updatedAt: created.addingTimeInterval(60), version: 2))
    }

    /// Any read: a profile the token created before the registration event arrived has no names yet.
    static var fresh: CustomerDTO {
        let created = Date(timeIntervalSince1970: 1_764_000_000)
        return CustomerDTO(Customer(userId: "0193a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", email: "ada@example.com", firstName: nil,
                                    lastName: nil, phoneNumber: nil, createdAt: created, updatedAt: created, version: 1))
    }
}

/// `PUT /customers/me`: replaces the three fields (a phone number left out is cleared).
struct ProfileUpdateRequest: Codable, Sendable, ValidatedBody {
    var firstName: String
    var lastName: String
    var phoneNumber: String?
    var version: Int?

    /// As `ProfileChange.problems` checks them.
    static let rules: [FieldRule<Self>] = [
        .text("firstName", \.firstName, length: ProfileChange.nameLengths),
        .text("lastName", \.lastName, length: ProfileChange.nameLengths),
        .text("phoneNumber", \.phoneNumber, length: 0...ProfileChange.phoneMaxLength, pattern: "[-+ ()]*[0-9][-+ ()0-9]*",
              patternMessage: "must be a phone number (digits, spaces, + - ( ))"),
        .integer("version", \.version, 1...Int64(Int32.max)),
    ]

    var change: ProfileChange {
        ProfileChange(firstName: firstName, lastName: lastName, phoneNumber: phoneNumber, expectedVersion: version)
    }

    static let example = ProfileUpdateRequest(firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000", version: 1)
}
