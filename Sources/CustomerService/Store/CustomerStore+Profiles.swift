import Contracts
import Foundation
import GRDB
import ServiceKit

extension CustomerStore {
    // MARK: Reads

    public func customer(userId: String) async throws -> Customer? {
        try await database.read { db in try Self.fetchCustomer(db, userId: userId) }
    }

    // MARK: Writes

    /// The caller's profile; created from the token (id and email, no names) when neither an earlier
    /// request nor `UserRegistered` created it yet, so `GET /customers/me` never answers 404.
    public func ensureCustomer(_ identity: TokenIdentity, now: Date, metadata: EventMetadata) async throws -> Customer {
        if let existing = try await customer(userId: identity.userId), existing.email != nil || identity.email == nil {
            return existing
        }
        return try await database.write { db in
            try Self.ensureProfile(db, identity: identity, now: now, metadata: metadata)
        }
    }

    /// `PUT /customers/me`: replaces names and phone number (creating the profile first when needed).
    /// An unchanged profile is answered as it is: no new version, no event.
    public func replaceProfile(_ identity: TokenIdentity, change: ProfileChange, now: Date,
                               metadata: EventMetadata) async throws -> Customer {
        try await database.write { db in
            try Self.requireEnabled(db, userId: identity.userId)
            var customer = try Self.ensureProfile(db, identity: identity, now: now, metadata: metadata)
            if let expected = change.expectedVersion, expected != customer.version {
                throw CustomerError.versionConflict(resource: "customer", current: customer.version)
            }
            let before = customer
            customer.firstName = change.firstName
            customer.lastName = change.lastName
            customer.phoneNumber = change.phoneNumber
            guard customer != before else { return before }
            customer.version += 1
            customer.updatedAt = now
            try Self.saveChanged(db, customer, metadata: metadata)
            return customer
        }
    }

    // MARK: Steps shared with the event handlers

    static func fetchCustomer(_ db: Database, userId: String) throws -> Customer? {
        try Row.fetchOne(db, sql: "SELECT * FROM customer_profile WHERE user_id = ?", arguments: [userId]).map(decodeCustomer)
    }

    /// The profile of `identity`, inserted (with `CustomerProfileCreated`) if absent.
    /// A profile without an email (neither the event nor the token had one) takes the token's when it has one.
    @discardableResult
    static func ensureProfile(_ db: Database, identity: TokenIdentity, now: Date, metadata: EventMetadata) throws -> Customer {
        let fresh = Customer(userId: identity.userId, email: identity.email, firstName: nil, lastName: nil, phoneNumber: nil,
                             createdAt: now, updatedAt: now, version: 1)
        var (customer, inserted) = try insertIfAbsent(db, fresh, metadata: metadata)
        if !inserted, customer.email == nil, let email = identity.email {
            customer.email = email
            customer.version += 1
            customer.updatedAt = now
            try saveChanged(db, customer, metadata: metadata)
        }
        return customer
    }

    /// Inserts `customer` unless a profile of that user exists (then answers the existing one). The primary
    /// key decides: of a token and a registration event arriving together, exactly one inserts.
    static func insertIfAbsent(_ db: Database, _ customer: Customer, metadata: EventMetadata) throws -> (customer: Customer, inserted: Bool) {
        try db.execute(
            sql: """
                INSERT INTO customer_profile (user_id, email, first_name, last_name, phone_number, created_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING
                """,
            arguments: [customer.userId, customer.email, customer.firstName, customer.lastName, customer.phoneNumber,
                        customer.createdAt, customer.updatedAt, customer.version])
        guard db.changesCount == 1 else {
            guard let existing = try fetchCustomer(db, userId: customer.userId) else {
                throw CustomerError.customerNotFound(userId: customer.userId)  // not reachable: the insert conflicted
            }
            return (existing, false)
        }
        try Outbox.enqueue(
            CustomerProfileCreated(userId: customer.userId, email: customer.email, firstName: customer.firstName,
                                   lastName: customer.lastName, phoneNumber: customer.phoneNumber, version: customer.version,
                                   createdAt: customer.createdAt),
            metadata: metadata, occurredAt: customer.createdAt, in: db)
        return (customer, true)
    }

    /// Writes a changed profile (version and time already moved) and its `CustomerProfileUpdated`.
    static func saveChanged(_ db: Database, _ customer: Customer, metadata: EventMetadata) throws {
        try db.execute(
            sql: """
                UPDATE customer_profile SET email = ?, first_name = ?, last_name = ?, phone_number = ?, updated_at = ?, version = ?
                WHERE user_id = ?
                """,
            arguments: [customer.email, customer.firstName, customer.lastName, customer.phoneNumber, customer.updatedAt,
                        customer.version, customer.userId])
        try Outbox.enqueue(
            CustomerProfileUpdated(userId: customer.userId, email: customer.email, firstName: customer.firstName,
                                   lastName: customer.lastName, phoneNumber: customer.phoneNumber, version: customer.version,
                                   updatedAt: customer.updatedAt),
            metadata: metadata, occurredAt: customer.updatedAt, in: db)
    }

    /// `UserRegistered`: creates the profile with the registration's names, or, when the token created it
    /// first, fills what is still missing: the email, and the names and phone only while the user has set
    /// no name (a name the user chose is never overwritten by the older registration data).
    static func applyRegistration(_ db: Database, _ event: UserRegistered, now: Date, metadata: EventMetadata) throws {
        func clean(_ text: String?) -> String? {
            let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
            return (trimmed?.isEmpty ?? true) ? nil : trimmed
        }
        let fromEvent = Customer(userId: event.userId, email: clean(event.email), firstName: clean(event.firstName),
                                 lastName: clean(event.lastName), phoneNumber: clean(event.phoneNumber),
                                 createdAt: now, updatedAt: now, version: 1)
        let (existing, inserted) = try insertIfAbsent(db, fromEvent, metadata: metadata)
        guard !inserted else { return }
        var customer = existing
        if customer.email == nil { customer.email = fromEvent.email }
        if customer.firstName == nil, customer.lastName == nil {
            customer.firstName = fromEvent.firstName
            customer.lastName = fromEvent.lastName
            customer.phoneNumber = customer.phoneNumber ?? fromEvent.phoneNumber
        }
        guard customer != existing else { return }
        customer.version += 1
        customer.updatedAt = now
        try saveChanged(db, customer, metadata: metadata)
    }

    static func decodeCustomer(_ row: Row) throws -> Customer {
        Customer(userId: row["user_id"], email: row["email"], firstName: row["first_name"], lastName: row["last_name"],
                 phoneNumber: row["phone_number"], createdAt: row["created_at"], updatedAt: row["updated_at"],
                 version: row["version"])
    }
}
