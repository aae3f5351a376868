import Foundation
import ServiceKit

/// JSON bodies of IAM's HTTP API (camelCase), separate from the domain types so the wire shape is
/// explicit and documented by example in `/openapi.json`.
struct RegisterRequest: Codable, Sendable, ValidatedBody {
    var email: String
    var password: String
    var firstName: String
    var lastName: String
    var phoneNumber: String?

    /// The shape of each field; the registration's own rules (address syntax, the password policy's
    /// minimum, phone characters) are checked by `Registration.problems`.
    static let rules: [FieldRule<Self>] = [
        // The service's own address rule, not JSON Schema's `email` format (which is stricter in places).
        .text("email", \.email, length: 3...EmailAddress.maximumLength, pattern: EmailAddress.pattern,
              patternMessage: "must be a valid email address"),
        .text("password", \.password, length: PasswordPolicy().minimumLength...PasswordPolicy().maximumLength),
        .text("firstName", \.firstName, length: 1...100),
        .text("lastName", \.lastName, length: 1...100),
        .text("phoneNumber", \.phoneNumber, length: 0...32, pattern: #"\s*|[+() .-]*(?:[0-9][+() .-]*){4,}"#, patternMessage: "must be a phone number (digits, spaces, + - ( ))"),
    ]

    static let example = RegisterRequest(email: "ada@example.com", password: "correct horse battery",
                                         firstName: "Ada", lastName: "Lovelace", phoneNumber: "+44 20 7946 0000")
}

struct LoginRequest: Codable, Sendable, ValidatedBody {
    var email: String
    var password: String

    static let rules: [FieldRule<Self>] = [
        // The registration's rule: an address that could not be registered names no account.
        .text("email", \.email, length: 3...EmailAddress.maximumLength, pattern: EmailAddress.pattern,
              patternMessage: "must be a valid email address"),
        .text("password", \.password, length: 1...1024),
    ]

    static let example = LoginRequest(email: "ada@example.com", password: "correct horse battery")
}

struct RefreshRequest: Codable, Sendable {
    var refreshToken: String

    static let example = RefreshRequest(refreshToken: "q1mR…opaque")
}

struct TokenPairDTO: Codable, Sendable {
    var accessToken: String
    var refreshToken: String?
    var tokenType: String
    var expiresIn: Int
    var scope: String?

    init(_ response: TokenResponse) {
        accessToken = response.accessToken
        refreshToken = response.refreshToken
        tokenType = response.tokenType
        expiresIn = response.expiresIn
        scope = response.scope
    }

    static let example = TokenPairDTO(TokenResponse(accessToken: "eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9…", tokenType: "Bearer",
                                                    expiresIn: 900, refreshToken: "q1mR…opaque", scope: nil))
}

struct UserDTO: Codable, Sendable {
    var id: String
    var email: String
    var firstName: String
    var lastName: String
    var phoneNumber: String?
    var roles: [String]
    var enabled: Bool
    var locked: Bool
    var accountExpired: Bool
    var credentialsExpired: Bool
    var failedLoginCount: Int
    var lockedUntil: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ user: UserAccount, now: Date = Date()) {
        id = user.id
        email = user.email
        firstName = user.firstName
        lastName = user.lastName
        phoneNumber = user.phoneNumber
        roles = user.roles.map(\.rawValue).sorted()
        enabled = user.enabled
        locked = user.isLocked(at: now)
        accountExpired = !user.accountNonExpired
        credentialsExpired = !user.credentialsNonExpired
        failedLoginCount = user.failedLoginCount
        lockedUntil = user.lockedUntil
        createdAt = user.createdAt
        updatedAt = user.updatedAt
        version = user.version
    }

    static var example: UserDTO {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        return UserDTO(id: "0193a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace",
                       phoneNumber: nil, roles: ["customer"], enabled: true, locked: false, accountExpired: false,
                       credentialsExpired: false, failedLoginCount: 0, lockedUntil: nil, createdAt: now, updatedAt: now, version: 1)
    }

    private init(id: String, email: String, firstName: String, lastName: String, phoneNumber: String?, roles: [String],
                 enabled: Bool, locked: Bool, accountExpired: Bool, credentialsExpired: Bool, failedLoginCount: Int,
                 lockedUntil: Date?, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.phoneNumber = phoneNumber
        self.roles = roles
        self.enabled = enabled
        self.locked = locked
        self.accountExpired = accountExpired
        self.credentialsExpired = credentialsExpired
        self.failedLoginCount = failedLoginCount
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

struct UserPageDTO: Codable, Sendable {
    var items: [UserDTO]
    var page: Int
    var size: Int
    var total: Int

    static var example: UserPageDTO { UserPageDTO(items: [.example], page: 0, size: 20, total: 1) }
}

/// `PATCH /admin/users/{id}`: any subset of roles, enabled and locked.
/// A field may be left out (unchanged); `null` is not a value of any of them and is refused, not read as
/// "left out", so that a client that meant to clear something learns it cannot.
struct UserPatchRequest: Codable, Sendable, ValidatedBody {
    var roles: [String]?
    var enabled: Bool?
    var locked: Bool?

    static let rules: [FieldRule<Self>] = [
        .subset("roles", \.roles, of: Role.allCases.map(\.rawValue)),
        .changesOneOf(["roles", "enabled", "locked"]) { $0.roles != nil || $0.enabled != nil || $0.locked != nil },
    ]

    static let example = UserPatchRequest(roles: ["customer", "admin"], enabled: true, locked: false)
    static let nullIsAbsent = false

    init(roles: [String]?, enabled: Bool?, locked: Bool?) {
        self.roles = roles
        self.enabled = enabled
        self.locked = locked
    }

    enum CodingKeys: String, CodingKey { case roles, enabled, locked }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func present<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) {
                throw DecodingError.valueNotFound(type, .init(codingPath: [key], debugDescription: "null is not allowed"))
            }
            return try container.decode(type, forKey: key)
        }
        roles = try present([String].self, .roles)
        enabled = try present(Bool.self, .enabled)
        locked = try present(Bool.self, .locked)
    }
}

struct KeyRotationDTO: Codable, Sendable {
    var kid: String
    var publishedKids: [String]
}

/// RFC 6749 §5.1 success body (plain JSON, not the envelope, so OAuth2 clients understand it).
struct OAuthTokenBody: Codable, Sendable {
    var access_token: String
    var token_type: String
    var expires_in: Int
    var refresh_token: String?
    var scope: String?
}

/// RFC 6749 §5.2 error body.
struct OAuthErrorBody: Codable, Sendable {
    var error: String
    var error_description: String
}
