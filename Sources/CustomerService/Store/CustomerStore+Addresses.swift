import Contracts
import Foundation
import GRDB
import ServiceKit

extension CustomerStore {
    // MARK: Reads

    /// The address book of `userId`: the default shipping address first, then oldest first. Nil when the
    /// user has no profile.
    public func addresses(userId: String) async throws -> [Address]? {
        try await database.read { db in
            guard try Self.fetchCustomer(db, userId: userId) != nil else { return nil }
            return try Self.fetchAddresses(db, userId: userId)
        }
    }

    /// One address of `userId`'s book; nil for an unknown id and for another user's address alike.
    public func address(id: String, userId: String) async throws -> Address? {
        try await database.read { db in try Self.fetchAddress(db, id: id, userId: userId) }
    }

    // MARK: Writes

    /// Adds an address (creating the profile from the token first if needed). The first address becomes
    /// default shipping and billing; a flag set on the new one moves from the address that held it.
    public func addAddress(_ identity: TokenIdentity, input: AddressInput, limit: Int, now: Date,
                           metadata: EventMetadata) async throws -> Address {
        try await database.write { db in
            let userId = identity.userId
            try Self.requireEnabled(db, userId: userId)
            try Self.ensureProfile(db, identity: identity, now: now, metadata: metadata)
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM address WHERE user_id = ?", arguments: [userId]) ?? 0
            guard count < limit else { throw CustomerError.addressBookFull(limit: limit) }
            let first = count == 0
            let address = Address(
                id: EventID.make(at: now), userId: userId, label: input.label, recipientName: input.recipientName,
                phone: input.phone, line1: input.line1, line2: input.line2, city: input.city, state: input.state,
                postalCode: input.postalCode, country: input.country,
                isDefaultShipping: first || input.isDefaultShipping, isDefaultBilling: first || input.isDefaultBilling,
                createdAt: now, updatedAt: now, version: 1)
            let defaultsBefore = try Self.defaults(db, userId: userId)
            let demoted = try Self.takeDefaults(db, for: address, now: now)
            try db.execute(
                sql: """
                    INSERT INTO address (id, user_id, label, recipient_name, phone, line1, line2, city, state, postal_code,
                        country, is_default_shipping, is_default_billing, created_at, updated_at, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [address.id, userId, address.label, address.recipientName, address.phone, address.line1,
                            address.line2, address.city, address.state, address.postalCode, address.country,
                            address.isDefaultShipping, address.isDefaultBilling, now, now, address.version])
            try Outbox.enqueue(AddressAdded(userId: userId, entry: address.entry), metadata: metadata, occurredAt: now, in: db)
            try Self.publishDefaultChanges(db, userId: userId, demoted: demoted, before: defaultsBefore, now: now, metadata: metadata)
            return address
        }
    }

    /// Replaces an address of the caller's book (a full replace: flags left out are cleared, which leaves
    /// no default of that kind). Unchanged input answers the address as it is: no new version, no event.
    public func replaceAddress(userId: String, id: String, input: AddressInput, expectedVersion: Int?, now: Date,
                               metadata: EventMetadata) async throws -> Address {
        try await database.write { db in
            try Self.requireEnabled(db, userId: userId)
            // Ownership before state: another user's address is 404, never 409.
            guard let before = try Self.fetchAddress(db, id: id, userId: userId) else {
                throw CustomerError.addressNotFound(addressId: id)
            }
            if let expectedVersion, expectedVersion != before.version {
                throw CustomerError.versionConflict(resource: "address", current: before.version)
            }
            var address = before
            address.label = input.label
            address.recipientName = input.recipientName
            address.phone = input.phone
            address.line1 = input.line1
            address.line2 = input.line2
            address.city = input.city
            address.state = input.state
            address.postalCode = input.postalCode
            address.country = input.country
            address.isDefaultShipping = input.isDefaultShipping
            address.isDefaultBilling = input.isDefaultBilling
            guard address != before else { return before }
            address.version += 1
            address.updatedAt = now
            let defaultsBefore = try Self.defaults(db, userId: userId)
            let demoted = try Self.takeDefaults(db, for: address, now: now)
            try db.execute(
                sql: """
                    UPDATE address SET label = ?, recipient_name = ?, phone = ?, line1 = ?, line2 = ?, city = ?, state = ?,
                        postal_code = ?, country = ?, is_default_shipping = ?, is_default_billing = ?, updated_at = ?, version = ?
                    WHERE id = ? AND user_id = ?
                    """,
                arguments: [address.label, address.recipientName, address.phone, address.line1, address.line2, address.city,
                            address.state, address.postalCode, address.country, address.isDefaultShipping,
                            address.isDefaultBilling, now, address.version, id, userId])
            try Outbox.enqueue(AddressUpdated(userId: userId, entry: address.entry), metadata: metadata, occurredAt: now, in: db)
            try Self.publishDefaultChanges(db, userId: userId, demoted: demoted, before: defaultsBefore, now: now, metadata: metadata)
            return address
        }
    }

    /// Deletes an address of the caller's book. Deleting a default leaves no default of that kind.
    public func removeAddress(userId: String, id: String, now: Date, metadata: EventMetadata) async throws {
        try await database.write { db in
            try Self.requireEnabled(db, userId: userId)
            guard try Self.fetchAddress(db, id: id, userId: userId) != nil else {
                throw CustomerError.addressNotFound(addressId: id)
            }
            let defaultsBefore = try Self.defaults(db, userId: userId)
            try db.execute(sql: "DELETE FROM address WHERE id = ? AND user_id = ?", arguments: [id, userId])
            try Outbox.enqueue(AddressRemoved(userId: userId, addressId: id), metadata: metadata, occurredAt: now, in: db)
            try Self.publishDefaultChanges(db, userId: userId, demoted: [], before: defaultsBefore, now: now, metadata: metadata)
        }
    }

    // MARK: Default flags

    typealias Defaults = (shipping: String?, billing: String?)

    static func defaults(_ db: Database, userId: String) throws -> Defaults {
        let shipping = try String.fetchOne(
            db, sql: "SELECT id FROM address WHERE user_id = ? AND is_default_shipping = 1", arguments: [userId])
        let billing = try String.fetchOne(
            db, sql: "SELECT id FROM address WHERE user_id = ? AND is_default_billing = 1", arguments: [userId])
        return (shipping, billing)
    }

    /// Clears the flags `address` is about to take from the other addresses that hold them (before it takes
    /// them: the unique indexes allow one holder at a time), moving their versions on. Returns them as they
    /// are now.
    static func takeDefaults(_ db: Database, for address: Address, now: Date) throws -> [Address] {
        guard address.isDefaultShipping || address.isDefaultBilling else { return [] }
        let holders = try fetchAddresses(db, userId: address.userId).filter { other in
            other.id != address.id
                && ((address.isDefaultShipping && other.isDefaultShipping) || (address.isDefaultBilling && other.isDefaultBilling))
        }
        return try holders.map { holder in
            var demoted = holder
            if address.isDefaultShipping { demoted.isDefaultShipping = false }
            if address.isDefaultBilling { demoted.isDefaultBilling = false }
            demoted.version += 1
            demoted.updatedAt = now
            try db.execute(
                sql: "UPDATE address SET is_default_shipping = ?, is_default_billing = ?, updated_at = ?, version = ? WHERE id = ?",
                arguments: [demoted.isDefaultShipping, demoted.isDefaultBilling, now, demoted.version, demoted.id])
            return demoted
        }
    }

    /// After the change: `AddressUpdated` for each address that lost a flag, then `DefaultAddressChanged`
    /// when either default is now another address (or none).
    static func publishDefaultChanges(_ db: Database, userId: String, demoted: [Address], before: Defaults, now: Date,
                                      metadata: EventMetadata) throws {
        for address in demoted {
            try Outbox.enqueue(AddressUpdated(userId: userId, entry: address.entry), metadata: metadata, occurredAt: now, in: db)
        }
        let after = try defaults(db, userId: userId)
        guard after.shipping != before.shipping || after.billing != before.billing else { return }
        try Outbox.enqueue(
            DefaultAddressChanged(userId: userId, defaultShippingAddressId: after.shipping, defaultBillingAddressId: after.billing),
            metadata: metadata, occurredAt: now, in: db)
    }

    // MARK: Row mapping

    static func fetchAddresses(_ db: Database, userId: String) throws -> [Address] {
        // rowid breaks ties between addresses created in the same millisecond, in insertion order.
        try Row.fetchAll(
            db, sql: "SELECT * FROM address WHERE user_id = ? ORDER BY is_default_shipping DESC, created_at, rowid",
            arguments: [userId]
        ).map(decodeAddress)
    }

    static func fetchAddress(_ db: Database, id: String, userId: String) throws -> Address? {
        try Row.fetchOne(db, sql: "SELECT * FROM address WHERE id = ? AND user_id = ?", arguments: [id, userId])
            .map(decodeAddress)
    }

    static func decodeAddress(_ row: Row) throws -> Address {
        Address(id: row["id"], userId: row["user_id"], label: row["label"], recipientName: row["recipient_name"],
                phone: row["phone"], line1: row["line1"], line2: row["line2"], city: row["city"], state: row["state"],
                postalCode: row["postal_code"], country: row["country"], isDefaultShipping: row["is_default_shipping"],
                isDefaultBilling: row["is_default_billing"], createdAt: row["created_at"], updatedAt: row["updated_at"],
                version: row["version"])
    }
}
