import Foundation
import ServiceKit

/// The customer service's use cases: profiles and address books, each one transaction of the store,
/// with the rules checked first and time taken from the injected clock. HTTP routes hold one of these.
public struct Customers: Sendable {
    public let store: CustomerStore
    public let configuration: CustomerConfiguration
    public let clock: ServiceClock

    public init(store: CustomerStore, configuration: CustomerConfiguration = CustomerConfiguration(), clock: ServiceClock = .system) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    // MARK: Profiles

    /// The caller's profile, created from the token if it does not exist yet.
    public func profile(of identity: TokenIdentity, metadata: EventMetadata = EventMetadata()) async throws -> Customer {
        try await store.ensureCustomer(identity, now: clock.now(), metadata: metadata)
    }

    public func updateProfile(of identity: TokenIdentity, _ change: ProfileChange,
                              metadata: EventMetadata = EventMetadata()) async throws -> Customer {
        try Self.validate(change.problems)
        return try await store.replaceProfile(identity, change: change, now: clock.now(), metadata: metadata)
    }

    /// Another user's profile (admin read); no profile is created.
    public func customer(userId: String) async throws -> Customer {
        guard let customer = try await store.customer(userId: userId) else { throw CustomerError.customerNotFound(userId: userId) }
        return customer
    }

    // MARK: Address books

    /// The caller's own book (empty before the first address).
    public func addressBook(of userId: String) async throws -> [Address] {
        try await store.addresses(userId: userId) ?? []
    }

    /// Another user's book (admin and service reads): `customerNotFound` when the user has no profile.
    public func addressBook(ofCustomer userId: String) async throws -> [Address] {
        guard let addresses = try await store.addresses(userId: userId) else { throw CustomerError.customerNotFound(userId: userId) }
        return addresses
    }

    public func address(id: String, of userId: String) async throws -> Address {
        guard let address = try await store.address(id: id, userId: userId) else { throw CustomerError.addressNotFound(addressId: id) }
        return address
    }

    public func addAddress(for identity: TokenIdentity, _ input: AddressInput,
                           metadata: EventMetadata = EventMetadata()) async throws -> Address {
        try Self.validate(input.problems)
        return try await store.addAddress(identity, input: input, limit: configuration.maxAddresses, now: clock.now(),
                                          metadata: metadata)
    }

    public func replaceAddress(id: String, of userId: String, _ input: AddressInput, expectedVersion: Int?,
                               metadata: EventMetadata = EventMetadata()) async throws -> Address {
        var problems = input.problems
        if let expectedVersion, expectedVersion < 1 { problems.append(FieldError(field: "version", message: "must be at least 1")) }
        try Self.validate(problems)
        return try await store.replaceAddress(userId: userId, id: id, input: input, expectedVersion: expectedVersion,
                                              now: clock.now(), metadata: metadata)
    }

    public func removeAddress(id: String, of userId: String, metadata: EventMetadata = EventMetadata()) async throws {
        try await store.removeAddress(userId: userId, id: id, now: clock.now(), metadata: metadata)
    }

    private static func validate(_ problems: [FieldError]) throws {
        if !problems.isEmpty { throw CustomerError.validation(problems) }
    }
}
