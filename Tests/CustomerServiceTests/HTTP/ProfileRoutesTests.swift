import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CustomerService

/// `/customers/me` and `/customers/{userId}` over HTTP, every answer in the envelope.
@Suite struct ProfileRoutesTests {
    @Test func getMeCreatesTheProfileFromTheTokenAndPutReplacesIt() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            let first = try await fixture.client.get("/customers/me", bearer: token)
            #expect(first.status == 200 && first.envelopeStatus == "SUCCESS" && first.code == 200)
            #expect(first.data?["userId"]?.stringValue == userId)
            #expect(first.data?["email"]?.stringValue == "\(userId)@example.com")
            #expect(first.data?["firstName"] == .null && first.data?["version"]?.intValue == 1)

            let put = try await fixture.client.send(.PUT, "/customers/me", json: [
                "firstName": "Ada", "lastName": "Lovelace", "phoneNumber": "+44 20 7946 0000", "version": 1,
                "userId": "someone-else", "email": "ignored@example.com",
            ], bearer: token)
            #expect(put.status == 200 && put.data?["firstName"]?.stringValue == "Ada" && put.data?["version"]?.intValue == 2)
            // Unknown fields are ignored: neither the id nor the email moved.
            #expect(put.data?["userId"]?.stringValue == userId && put.data?["email"]?.stringValue == "\(userId)@example.com")

            let stale = try await fixture.client.send(.PUT, "/customers/me", json: ["firstName": "X", "lastName": "Y", "version": 1],
                                                      bearer: token)
            #expect(stale.status == 409 && stale.envelopeStatus == "ERROR" && stale.message?.contains("version 2") == true)
            #expect(try await fixture.client.get("/customers/me", bearer: token).data?["lastName"]?.stringValue == "Lovelace")
            #expect(try await fixture.outboxEventTypes(userId: userId) == ["CustomerProfileCreated", "CustomerProfileUpdated"])
        }
    }

    @Test func concurrentFirstRequestsCreateExactlyOneProfile() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await fixture.client.get("/customers/me", bearer: token).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(try await fixture.profileCount(userId: userId) == 1)
            #expect(try await fixture.outboxEventTypes(userId: userId) == ["CustomerProfileCreated"])
        }
    }

    @Test func badBodiesAreRefusedWithEveryFieldAndChangeNothing() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            let invalid = try await fixture.client.send(.PUT, "/customers/me", json: [
                "firstName": "", "lastName": .integer(5), "phoneNumber": "not a phone",
            ], bearer: token)
            #expect(invalid.status == 400 && invalid.envelopeStatus == "ERROR")
            #expect(Set(invalid.errorFields) == ["firstName", "lastName", "phoneNumber"])

            let fraction = try await fixture.client.send(.PUT, "/customers/me", raw: (#"{"firstName":"A","lastName":"B","version":1.5}"#, "application/json"),
                                                         bearer: token)
            #expect(fraction.status == 400 && fraction.envelopeStatus == "ERROR")
            let malformed = try await fixture.client.send(.PUT, "/customers/me", raw: ("{nope", "application/json"), bearer: token)
            #expect(malformed.status == 400)
            let wrongType = try await fixture.client.send(.PUT, "/customers/me", raw: ("firstName=A", "text/plain"), bearer: token)
            #expect(wrongType.status == 415 && wrongType.envelopeStatus == "ERROR")
            #expect(try await fixture.outboxEventTypes(userId: userId).isEmpty)
        }
    }

    @Test func tokensAreCheckedAndServiceTokensCannotUseUserRoutes() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let none = try await fixture.client.get("/customers/me")
            #expect(none.status == 401 && none.envelopeStatus == "ERROR" && none.header("WWW-Authenticate") == "Bearer")
            #expect(try await fixture.client.get("/customers/me", bearer: "not.a.token").status == 401)
            let expired = try await fixture.issuer.userToken(expiresIn: -3600)
            #expect(try await fixture.client.get("/customers/me", bearer: expired).status == 401)

            let service = try await fixture.issuer.serviceToken(clientId: "order-service", scopes: ["customer.read"])
            let refused = try await fixture.client.get("/customers/me", bearer: service)
            #expect(refused.status == 403 && refused.envelopeStatus == "ERROR")
            #expect(try await fixture.client.send(.PUT, "/customers/me", json: ["firstName": "A", "lastName": "B"], bearer: service).status == 403)
            #expect(try await fixture.client.get("/customers/me/addresses", bearer: service).status == 403)
        }
    }

    @Test func adminsReadAnyProfileOthersAreRefused() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            _ = try await fixture.client.get("/customers/me", bearer: token)
            let admin = try await fixture.admin()

            let read = try await fixture.client.get("/customers/\(userId)", bearer: admin)
            #expect(read.status == 200 && read.data?["userId"]?.stringValue == userId)
            let unknown = try await fixture.client.get("/customers/\(UUID().uuidString.lowercased())", bearer: admin)
            #expect(unknown.status == 404 && unknown.envelopeStatus == "ERROR")
            #expect(try await fixture.client.get("/customers/not-a-uuid", bearer: admin).status == 404)

            let (_, other) = try await fixture.customer()
            let refused = try await fixture.client.get("/customers/\(userId)", bearer: other)
            #expect(refused.status == 403 && refused.envelopeStatus == "ERROR")
            let service = try await fixture.issuer.serviceToken(clientId: "order-service", scopes: ["customer.read"])
            #expect(try await fixture.client.get("/customers/\(userId)", bearer: service).status == 403)
            // An admin's /customers/me is the admin's own profile, not a lookup of a user called "me".
            #expect(try await fixture.client.get("/customers/me", bearer: admin).status == 200)
        }
    }

    @Test func aDisabledAccountGets403OnChangesButReadsItsProfile() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let (userId, token) = try await fixture.customer()
            try await fixture.database.write { db in
                try CustomerStore.applyAccountStatus(db, UserAccountStatusChanged(
                    userId: userId, enabled: false, locked: false, expired: false, credentialsExpired: false,
                    reason: "disabled-by-admin"), at: Date())
            }
            #expect(try await fixture.client.get("/customers/me", bearer: token).status == 200)
            let put = try await fixture.client.send(.PUT, "/customers/me", json: ["firstName": "A", "lastName": "B"], bearer: token)
            #expect(put.status == 403 && put.message?.contains("disabled") == true)
            let post = try await fixture.client.send(.POST, "/customers/me/addresses", json: HTTPSamples.address, bearer: token)
            #expect(post.status == 403)
        }
    }

    @Test func theOpenAPIDocumentListsEveryRouteWithItsStatuses() async throws {
        try await CustomerHTTPFixture.with { fixture in
            let answer = try await fixture.client.get("/openapi.json")
            #expect(answer.status == 200)
            let paths = try #require(answer.json["paths"])
            let expected: [(String, String, [String])] = [
                ("/customers/me", "get", ["200", "401", "403"]),
                ("/customers/me", "put", ["200", "400", "401", "403", "409"]),
                ("/customers/{userId}", "get", ["200", "401", "403", "404"]),
                ("/customers/me/addresses", "get", ["200", "401", "403"]),
                ("/customers/me/addresses", "post", ["201", "400", "401", "403", "422"]),
                ("/customers/me/addresses/{addressId}", "get", ["200", "404"]),
                ("/customers/me/addresses/{addressId}", "put", ["200", "400", "404", "409"]),
                ("/customers/me/addresses/{addressId}", "delete", ["200", "404"]),
                ("/customers/{userId}/addresses", "get", ["200", "403", "404"]),
                ("/customers/{userId}/addresses/{addressId}", "get", ["200", "403", "404"]),
            ]
            for (path, method, statuses) in expected {
                let operation = try #require(paths[path]?[method], "\(method) \(path) is documented")
                for status in statuses {
                    #expect(operation["responses"]?[status] != nil, "\(method) \(path) documents \(status)")
                }
            }
            let post = paths["/customers/me/addresses"]?["post"]
            #expect(post?["requestBody"]?["content"]?["application/json"]?["example"]?["country"]?.stringValue == "GB")
            #expect(post?["responses"]?["201"]?["content"]?["application/json"]?["example"]?["data"]?["isDefaultShipping"]?.boolValue == true)
        }
    }
}

enum HTTPSamples {
    static let address: JSONValue = [
        "recipientName": "Ada Lovelace", "line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "GB",
    ]

    static func labelled(_ label: String, shipping: Bool? = nil, billing: Bool? = nil, version: Int? = nil) -> JSONValue {
        guard case .object(var fields) = address else { return address }
        fields["label"] = .string(label)
        if let shipping { fields["isDefaultShipping"] = .bool(shipping) }
        if let billing { fields["isDefaultBilling"] = .bool(billing) }
        if let version { fields["version"] = .integer(Int64(version)) }
        return .object(fields)
    }
}
