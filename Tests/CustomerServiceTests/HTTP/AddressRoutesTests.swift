import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CustomerService

/// The address book over HTTP: statuses of API.md §2, ownership as 404, admin and service reads.
@Suite struct AddressRoutesTests {
    @Test func theOwnerAddsReadsReplacesAndDeletes() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            #expect(try await fixture.client.get("/customers/me/addresses", bearer: token).data == .array([]))

            let created = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.address, bearer: token)
            #expect(created.status == 201 && created.code == 201 && created.envelopeStatus == "SUCCESS")
            let id = try #require(created.data?["id"]?.stringValue)
            #expect(created.header("Location") == "/customers/me/addresses/\(id)")
            #expect(created.data?["isDefaultShipping"]?.boolValue == true && created.data?["isDefaultBilling"]?.boolValue == true)
            #expect(created.data?["label"] == .null && created.data?["version"]?.intValue == 1)

            let second = try await fixture.client.send(.POST, "/customers/me/addresses",
                                                       json: HTTPSamples.labelled("Office", shipping: true), bearer: token)
            let secondId = try #require(second.data?["id"]?.stringValue)
            let list = try await fixture.client.get("/customers/me/addresses", bearer: token)
            #expect(list.status == 200)
            #expect(list.data?.arrayValue?.compactMap { $0["id"]?.stringValue } == [secondId, id])

            let read = try await fixture.client.get("/customers/me/addresses/\(id)", bearer: token)
            #expect(read.status == 200 && read.data?["version"]?.intValue == 2)  // it lost the shipping flag

            let replaced = try await fixture.client.send(.PUT, "/customers/me/addresses/\(id)",
                                                         json: HTTPSamples.labelled("Home", billing: true, version: 2), bearer: token)
            #expect(replaced.status == 200 && replaced.data?["label"]?.stringValue == "Home" && replaced.data?["version"]?.intValue == 3)
            let stale = try await fixture.client.send(.PUT, "/customers/me/addresses/\(id)",
                                                      json: HTTPSamples.labelled("Old", version: 2), bearer: token)
            #expect(stale.status == 409 && stale.envelopeStatus == "ERROR")

            let deleted = try await fixture.client.send(.DELETE, "/customers/me/addresses/\(id)", bearer: token)
            #expect(deleted.status == 200 && deleted.envelopeStatus == "SUCCESS" && deleted.data == .null)
            #expect(try await fixture.client.get("/customers/me/addresses/\(id)", bearer: token).status == 404)
            #expect(try await fixture.client.send(.DELETE, "/customers/me/addresses/\(id)", bearer: token).status == 404)

            let events = try await fixture.outboxEventTypes(userId: userId)
            #expect(events.filter { $0 == "AddressAdded" }.count == 2 && events.contains("AddressRemoved"))
            #expect(events.contains("DefaultAddressChanged") && events.first == "CustomerProfileCreated")
        }
    }

    @Test func invalidAddressesAre400WithEveryField() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            let answer = try await fixture.client.send(.POST, "/customers/me/addresses", json: [
                "recipientName": "", "line1": "x", "postalCode": .integer(12), "country": "gb", "phone": "(0)1",
                "isDefaultShipping": "yes",
            ], bearer: token)
            #expect(answer.status == 400 && answer.envelopeStatus == "ERROR")
            #expect(Set(answer.errorFields) == ["recipientName", "city", "postalCode", "country", "phone", "isDefaultShipping"])
            let unknownCountry = try await fixture.client.send(.POST, "/customers/me/addresses",
                                                               json: HTTPSamples.labelled("x").with("country", "XX"), bearer: token)
            #expect(unknownCountry.status == 400 && unknownCountry.errorFields == ["country"])
            #expect(try await fixture.outboxEventTypes(userId: userId).isEmpty)
        }
    }

    @Test func theTwentyFirstAddressIs422() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (_, token) = try await fixture.customer()
            for index in 0..<20 {
                let answer = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.labelled("n\(index)"),
                                                           bearer: token)
                #expect(answer.status == 201)
            }
            let full = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.address, bearer: token)
            #expect(full.status == 422 && full.envelopeStatus == "ERROR" && full.errorFields == ["addresses"])
            #expect(try await fixture.client.get("/customers/me/addresses", bearer: token).data?.arrayValue?.count == 20)
        }
    }

    @Test func anotherUsersAddressIs404NeverMore() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (ownerId, owner) = try await fixture.customer()
            let (_, intruder) = try await fixture.customer()
            let created = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.address, bearer: owner)
            let id = try #require(created.data?["id"]?.stringValue)

            let read = try await fixture.client.get("/customers/me/addresses/\(id)", bearer: intruder)
            let unknown = try await fixture.client.get("/customers/me/addresses/\(UUID().uuidString.lowercased())", bearer: intruder)
            #expect(read.status == 404 && unknown.status == 404 && read.message == unknown.message)
            // A stale version on someone else's address is still 404, never 409.
            let put = try await fixture.client.send(.PUT, "/customers/me/addresses/\(id)",
                                                    json: HTTPSamples.labelled("mine", version: 7), bearer: intruder)
            #expect(put.status == 404)
            #expect(try await fixture.client.send(.DELETE, "/customers/me/addresses/\(id)", bearer: intruder).status == 404)
            #expect(try await fixture.client.get("/customers/me/addresses/not-an-id", bearer: owner).status == 404)
            // Validation (400) comes before the id (404).
            let invalidOnMalformed = try await fixture.client.send(.PUT, "/customers/me/addresses/not-an-id",
                                                                   json: HTTPSamples.address.with("country", "gb"), bearer: owner)
            #expect(invalidOnMalformed.status == 400 && invalidOnMalformed.errorFields == ["country"])
            #expect(try await fixture.client.send(.PUT, "/customers/me/addresses/not-an-id", json: HTTPSamples.address,
                                                  bearer: owner).status == 404)
            #expect(try await fixture.client.get("/customers/me/addresses/\(id)", bearer: owner).data?["label"] == .null)
            #expect(try await fixture.outboxEventTypes(userId: ownerId).count == 3)  // created, added, default changed
        }
    }

    @Test func adminsAndReadingServicesSeeAnyBookCustomersDoNot() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            let created = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.address, bearer: token)
            let id = try #require(created.data?["id"]?.stringValue)
            let admin = try await fixture.admin()
            let reader = try await fixture.issuer.serviceToken(clientId: "order-service", scopes: ["customer.read", "catalog.read"])
            let noScope = try await fixture.issuer.serviceToken(clientId: "payment-service", scopes: ["order.read"])

            for bearer in [admin, reader] {
                let list = try await fixture.client.get("/customers/\(userId)/addresses", bearer: bearer)
                #expect(list.status == 200 && list.data?.arrayValue?.count == 1)
                let one = try await fixture.client.get("/customers/\(userId)/addresses/\(id)", bearer: bearer)
                #expect(one.status == 200 && one.data?["country"]?.stringValue == "GB")
            }
            let (otherId, other) = try await fixture.customer()
            _ = try await fixture.client.get("/customers/me", bearer: other)
            // The address exists, but not in this user's book.
            #expect(try await fixture.client.get("/customers/\(otherId)/addresses/\(id)", bearer: reader).status == 404)
            #expect(try await fixture.client.get("/customers/\(UUID().uuidString.lowercased())/addresses", bearer: admin).status == 404)
            #expect(try await fixture.client.get("/customers/\(otherId)/addresses", bearer: admin).data == .array([]))

            let customerRead = try await fixture.client.get("/customers/\(userId)/addresses", bearer: token)
            #expect(customerRead.status == 403 && customerRead.envelopeStatus == "ERROR")
            #expect(try await fixture.client.get("/customers/\(userId)/addresses/\(id)", bearer: other).status == 403)
            #expect(try await fixture.client.get("/customers/\(userId)/addresses", bearer: noScope).status == 403)
            #expect(try await fixture.client.get("/customers/\(userId)/addresses").status == 401)
        }
    }

    @Test func nobodyWritesAnotherUsersBook() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let admin = try await fixture.admin()
            let answer = try await fixture.client.send(.POST, "/customers/\(UUID().uuidString.lowercased())/addresses",
                                                       json: HTTPSamples.address, bearer: admin)
            #expect(answer.status == 405 && answer.envelopeStatus == "ERROR")
            #expect(answer.header("Allow") == "GET")
            let unknownRoute = try await fixture.client.get("/customers/me/wishlist", bearer: admin)
            #expect(unknownRoute.status == 404 && unknownRoute.envelopeStatus == "ERROR")
        }
    }
}

extension JSONValue {
    /// A copy of an object with one field set.
    func with(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}
