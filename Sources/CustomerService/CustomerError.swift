import ServiceKit

/// Every failure of the customer service's domain. `CustomerErrorMapping` decides what a client sees;
/// `description` is the log text.
public enum CustomerError: Error, Sendable, Equatable {
    /// 400: the input breaks a rule; one message per field.
    case validation([FieldError])
    /// 404: no profile for this user id (admin and service reads; `/customers/me` never answers it).
    case customerNotFound(userId: String)
    /// 404: no such address in this user's address book. Another user's address is the same answer.
    case addressNotFound(addressId: String)
    /// 409: optimistic concurrency; `resource` changed since the caller read it.
    case versionConflict(resource: String, current: Int)
    /// 422: the address book already holds `limit` addresses.
    case addressBookFull(limit: Int)
    /// 403: IAM disabled the account (`UserAccountStatusChanged`); its profile and addresses are frozen.
    case accountDisabled(userId: String)
}

extension CustomerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .validation(let errors): "validation failed: " + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .customerNotFound(let userId): "no customer profile for user \(userId)"
        case .addressNotFound(let addressId): "address \(addressId) not found in the caller's address book"
        case .versionConflict(let resource, let current): "\(resource) version conflict (current version \(current))"
        case .addressBookFull(let limit): "the address book already holds \(limit) addresses"
        case .accountDisabled(let userId): "account \(userId) is disabled; its profile and addresses cannot change"
        }
    }
}
