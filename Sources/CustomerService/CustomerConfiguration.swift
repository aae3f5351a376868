import ServiceKit

/// The customer service's own settings (`CUSTOMER_*`), each with a default that works for `shop up`.
/// An unparsable or out-of-range value is an error naming the variable.
public struct CustomerConfiguration: Sendable {
    /// `CUSTOMER_MAX_ADDRESSES`: how many addresses one address book holds (API.md §2: 20).
    public var maxAddresses: Int = 20
    /// `CUSTOMER_EVENT_MAX_ATTEMPTS`: attempts to apply one `iam.user.v1` event before it is dead-lettered
    /// to `iam.user.v1.customer.dlt`.
    public var eventMaxAttempts: Int = 5

    /// The scope a client-credentials token needs for the address-book reads (the order service's read-through).
    public static let readScope = "customer.read"

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        maxAddresses = try env.int("CUSTOMER_MAX_ADDRESSES", default: 20, range: 1...100)
        eventMaxAttempts = try env.int("CUSTOMER_EVENT_MAX_ATTEMPTS", default: 5, range: 1...100)
    }

    /// Every variable `init(environment:)` reads.
    public static let settingNames = ["CUSTOMER_MAX_ADDRESSES", "CUSTOMER_EVENT_MAX_ATTEMPTS"]
}
