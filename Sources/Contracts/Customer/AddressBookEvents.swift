import Foundation

/// One entry of a customer's address book as the address events carry it: the structured address (an
/// `AddressSnapshot` whose `addressId` is set, ready to copy into an order), its label, its default flags
/// after the change, and its version.
public struct AddressBookEntry: Codable, Sendable, Hashable {
    public var addressId: String
    public var label: String?
    public var address: AddressSnapshot
    public var isDefaultShipping: Bool
    public var isDefaultBilling: Bool
    /// The address's version (1 on creation, +1 per change).
    public var version: Int

    public init(addressId: String, label: String?, address: AddressSnapshot, isDefaultShipping: Bool,
                isDefaultBilling: Bool, version: Int) {
        self.addressId = addressId
        self.label = label
        self.address = address
        self.isDefaultShipping = isDefaultShipping
        self.isDefaultBilling = isDefaultBilling
        self.version = version
    }
}

/// An address was added to a customer's address book (key: user id).
public struct AddressAdded: DomainEvent, Equatable {
    public static let eventType = "AddressAdded"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    public var entry: AddressBookEntry
    public var aggregateId: String { userId }

    public init(userId: String, entry: AddressBookEntry) {
        self.userId = userId
        self.entry = entry
    }
}

/// An address was replaced by its owner (key: user id). `entry` is the whole address after the change.
public struct AddressUpdated: DomainEvent, Equatable {
    public static let eventType = "AddressUpdated"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    public var entry: AddressBookEntry
    public var aggregateId: String { userId }

    public init(userId: String, entry: AddressBookEntry) {
        self.userId = userId
        self.entry = entry
    }
}

/// An address was deleted from a customer's address book (key: user id).
public struct AddressRemoved: DomainEvent, Equatable {
    public static let eventType = "AddressRemoved"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    public var addressId: String
    public var aggregateId: String { userId }

    public init(userId: String, addressId: String) {
        self.userId = userId
        self.addressId = addressId
    }
}

/// The customer's default shipping or billing address changed (key: user id), including to none (the
/// default was deleted or un-flagged). Both current defaults are given. It follows the `AddressAdded`,
/// `AddressUpdated` or `AddressRemoved` of the same change; an address that lost its flag to another one
/// gets an `AddressUpdated` of its own too (its version moved).
public struct DefaultAddressChanged: DomainEvent, Equatable {
    public static let eventType = "DefaultAddressChanged"
    public static let eventVersion = 1
    public static let aggregateType = "customer"
    public static let topic = Topics.customerCustomer

    public var userId: String
    public var defaultShippingAddressId: String?
    public var defaultBillingAddressId: String?
    public var aggregateId: String { userId }

    public init(userId: String, defaultShippingAddressId: String?, defaultBillingAddressId: String?) {
        self.userId = userId
        self.defaultShippingAddressId = defaultShippingAddressId
        self.defaultBillingAddressId = defaultBillingAddressId
    }
}
