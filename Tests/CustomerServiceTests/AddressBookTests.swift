import Contracts
import Foundation
import Testing

@testable import CustomerService

/// Default flags, order, the 20-address limit, ownership and versions of the address book.
@Suite struct AddressBookTests {
    @Test func theFirstAddressBecomesBothDefaultsAndAFlagMovesInOneChange() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        let home = try await fixture.customers.addAddress(for: user, sampleAddress())
        #expect(home.isDefaultShipping && home.isDefaultBilling && home.version == 1)

        fixture.clock.advance(by: 1)
        let office = try await fixture.customers.addAddress(for: user, sampleAddress { $0.label = "Office"; $0.isDefaultShipping = true })
        #expect(office.isDefaultShipping && !office.isDefaultBilling)
        let homeAfter = try await fixture.customers.address(id: home.id, of: user.userId)
        #expect(!homeAfter.isDefaultShipping && homeAfter.isDefaultBilling && homeAfter.version == 2)

        let events = try await fixture.outbox(userId: user.userId)
        #expect(events.map(\.eventType) == ["CustomerProfileCreated", "AddressAdded", "DefaultAddressChanged",
                                            "AddressAdded", "AddressUpdated", "DefaultAddressChanged"])
        let added = try events[3].decode(AddressAdded.self)
        #expect(added.entry.addressId == office.id && added.entry.isDefaultShipping && added.entry.address.country == "GB")
        #expect(added.entry.address.addressId == office.id && added.entry.label == "Office")
        let demoted = try events[4].decode(AddressUpdated.self)
        #expect(demoted.entry.addressId == home.id && !demoted.entry.isDefaultShipping && demoted.entry.version == 2)
        let changed = try events[5].decode(DefaultAddressChanged.self)
        #expect(changed.defaultShippingAddressId == office.id && changed.defaultBillingAddressId == home.id)
    }

    @Test func theListHasTheDefaultShippingAddressFirstThenOldestFirst() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        var ids: [String] = []
        for label in ["a", "b", "c", "d"] {
            ids.append(try await fixture.customers.addAddress(for: user, sampleAddress { $0.label = label }).id)
            fixture.clock.advance(by: 1)
        }
        _ = try await fixture.customers.replaceAddress(id: ids[2], of: user.userId, sampleAddress { $0.label = "c"; $0.isDefaultShipping = true },
                                                       expectedVersion: 1)
        let order = try await fixture.customers.addressBook(of: user.userId).map(\.id)
        #expect(order == [ids[2], ids[0], ids[1], ids[3]])
    }

    @Test func deletingOrUnflaggingTheDefaultLeavesNone() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        let first = try await fixture.customers.addAddress(for: user, sampleAddress())
        let second = try await fixture.customers.addAddress(for: user, sampleAddress { $0.label = "Office" })

        // A full replace without flags un-flags.
        let unflagged = try await fixture.customers.replaceAddress(id: first.id, of: user.userId, sampleAddress { $0.isDefaultBilling = true },
                                                                   expectedVersion: nil)
        #expect(!unflagged.isDefaultShipping && unflagged.isDefaultBilling && unflagged.version == 2)
        #expect(try await fixture.customers.addressBook(of: user.userId).filter(\.isDefaultShipping).isEmpty)

        try await fixture.customers.removeAddress(id: first.id, of: user.userId)
        let remaining = try await fixture.customers.addressBook(of: user.userId)
        #expect(remaining.map(\.id) == [second.id])
        #expect(!remaining[0].isDefaultShipping && !remaining[0].isDefaultBilling)

        let events = try await fixture.outbox(userId: user.userId)
        #expect(events.suffix(2).map(\.eventType) == ["AddressRemoved", "DefaultAddressChanged"])
        let changed = try #require(events.last).decode(DefaultAddressChanged.self)
        #expect(changed.defaultShippingAddressId == nil && changed.defaultBillingAddressId == nil)
    }

    @Test func aBookHoldsAtMostTwentyAddresses() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        for index in 0..<20 {
            _ = try await fixture.customers.addAddress(for: user, sampleAddress { $0.label = "n\(index)" })
        }
        let full = await customerError { try await fixture.customers.addAddress(for: user, sampleAddress()) }
        #expect(full == .addressBookFull(limit: 20))
        #expect(try await fixture.customers.addressBook(of: user.userId).count == 20)
        // After a deletion there is room again.
        let some = try #require(try await fixture.customers.addressBook(of: user.userId).last)
        try await fixture.customers.removeAddress(id: some.id, of: user.userId)
        _ = try await fixture.customers.addAddress(for: user, sampleAddress())
    }

    @Test func anotherUsersAddressIsNotFoundForEveryOperation() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let owner = CustomerFixture.newUser()
        let intruder = CustomerFixture.newUser()
        let address = try await fixture.customers.addAddress(for: owner, sampleAddress())
        let missing = CustomerError.addressNotFound(addressId: address.id)

        #expect(await customerError { try await fixture.customers.address(id: address.id, of: intruder.userId) } == missing)
        // Ownership comes before the version check: a stale version on someone else's address is still 404.
        #expect(await customerError {
            try await fixture.customers.replaceAddress(id: address.id, of: intruder.userId, sampleAddress(), expectedVersion: 99)
        } == missing)
        #expect(await customerError { try await fixture.customers.removeAddress(id: address.id, of: intruder.userId) } == missing)
        #expect(try await fixture.customers.address(id: address.id, of: owner.userId).version == 1)
    }

    @Test func aStaleVersionIsAConflictAndAnUnchangedReplaceIsNoChange() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        let address = try await fixture.customers.addAddress(for: user, sampleAddress { $0.isDefaultShipping = true; $0.isDefaultBilling = true })
        let moved = try await fixture.customers.replaceAddress(id: address.id, of: user.userId, sampleAddress {
            $0.line2 = "Flat 3"; $0.isDefaultShipping = true; $0.isDefaultBilling = true
        }, expectedVersion: 1)
        #expect(moved.version == 2 && moved.line2 == "Flat 3")
        let stale = await customerError {
            try await fixture.customers.replaceAddress(id: address.id, of: user.userId, sampleAddress(), expectedVersion: 1)
        }
        #expect(stale == .versionConflict(resource: "address", current: 2))
        let same = try await fixture.customers.replaceAddress(id: address.id, of: user.userId, sampleAddress {
            $0.line2 = "Flat 3"; $0.isDefaultShipping = true; $0.isDefaultBilling = true
        }, expectedVersion: nil)
        #expect(same.version == 2)
        #expect(try await fixture.outbox(userId: user.userId).filter { $0.eventType == "AddressUpdated" }.count == 1)
    }

    @Test func aDisabledAccountCannotChangeItsAddresses() async throws {
        let fixture = try CustomerFixture.make()
        defer { fixture.removeFiles() }
        let user = CustomerFixture.newUser()
        let address = try await fixture.customers.addAddress(for: user, sampleAddress())
        try await fixture.disable(user.userId)
        let disabled = CustomerError.accountDisabled(userId: user.userId)
        #expect(await customerError { try await fixture.customers.addAddress(for: user, sampleAddress()) } == disabled)
        #expect(await customerError {
            try await fixture.customers.replaceAddress(id: address.id, of: user.userId, sampleAddress(), expectedVersion: nil)
        } == disabled)
        #expect(await customerError { try await fixture.customers.removeAddress(id: address.id, of: user.userId) } == disabled)
        #expect(try await fixture.customers.addressBook(of: user.userId).count == 1)
    }

    @Test func addressRulesFollowTheContract() {
        #expect(sampleAddress().problems.isEmpty)
        #expect(sampleAddress { $0.country = "gb" }.problems.map(\.field) == ["country"])
        #expect(sampleAddress { $0.country = "ZZ" }.problems.map(\.field) == ["country"])
        #expect(sampleAddress { $0.country = "UK" }.problems.map(\.field) == ["country"])
        #expect(sampleAddress { $0.country = "" }.problems.map(\.field) == ["country"])
        #expect(sampleAddress { $0.phone = "(020) 7946" }.problems.map(\.field) == ["phone"])
        #expect(sampleAddress { $0.phone = "+44 20-7946" }.problems.isEmpty)
        let broken = AddressInput(label: String(repeating: "l", count: 51), recipientName: " ", phone: String(repeating: "1", count: 33),
                                  line1: String(repeating: "x", count: 201), line2: String(repeating: "x", count: 201), city: "",
                                  state: String(repeating: "s", count: 101), postalCode: String(repeating: "9", count: 21), country: "DEU")
        #expect(Set(broken.problems.map(\.field)) == ["label", "recipientName", "phone", "line1", "line2", "city", "state",
                                                      "postalCode", "country"])
        #expect(sampleAddress { $0.line1 = "12\nSt James" }.problems.map(\.field) == ["line1"])
        #expect(CountryCode.all.count == 249)
    }
}
