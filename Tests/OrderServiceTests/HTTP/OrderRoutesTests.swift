import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import OrderService

/// The order routes' checks that come before the saga: who may call, the Idempotency-Key first, bodies,
/// ownership as 404, list parameters. (Checkouts end to end are in ShopEndToEndTests.)
@Suite("Order routes: access, validation, ownership")
struct OrderRoutesTests {
    @Test func accessRulesAndTheOrderOfChecksOnPlacement() async throws {
        try await OrderServerFixture.with { fixture in
            let client = fixture.client
            let customer = try await fixture.issuer.userToken()
            let service = try await fixture.issuer.serviceToken(clientId: "payment-service", scopes: ["order.read"])
            let body = #"{"shippingAddressId":"0193a0f2-1111-7c3d-9a41-2f6e8d1c0b7a"}"#

            #expect(try await client.post("/orders", json: body).status == 401)
            #expect(try await client.send(.POST, "/orders", raw: (body, contentType: "application/json"), bearer: service,
                                          headers: [("Idempotency-Key", "k1")]).status == 403)
            // The key is checked before the body: a broken body without a key is still 400 about the key.
            let noKey = try await client.post("/orders", json: "{not json", bearer: customer)
            #expect(noKey.status == 400)
            #expect(noKey.errorFields == ["Idempotency-Key"])
            let missingField = try await client.send(.POST, "/orders", raw: ("{}", contentType: "application/json"), bearer: customer,
                                                     headers: [("Idempotency-Key", "k2")])
            #expect(missingField.status == 400)
            #expect(missingField.errorFields.contains("shippingAddressId"))
            // An address the projection does not have, and no customer service to ask (no client secret here):
            // 503, never 500, and the key is free again (the retry is not a replay or a 409).
            for _ in 0..<2 {
                let unknown = try await client.send(.POST, "/orders", raw: (body, contentType: "application/json"), bearer: customer,
                                                    headers: [("Idempotency-Key", "k3")])
                #expect(unknown.status == 503)
                #expect(unknown.header("Idempotent-Replayed") == nil)
            }
            // A malformed address id is not in anyone's book: 422 on that field, without asking anyone.
            let malformed = try await client.send(.POST, "/orders", raw: (#"{"shippingAddressId":"nope"}"#, contentType: "application/json"),
                                                  bearer: customer, headers: [("Idempotency-Key", "k4")])
            #expect(malformed.status == 422)
            #expect(malformed.errorFields == ["shippingAddressId"])
        }
    }

    @Test func ordersOfOthersUnknownAndMalformedIdsAreTheSame404() async throws {
        try await OrderServerFixture.with { fixture in
            let client = fixture.client
            let owner = UUID().uuidString.lowercased()
            let stranger = try await fixture.issuer.userToken()
            let order = try await OrderFixture.insert(into: fixture.store, userId: owner)
            let ownerToken = try await fixture.issuer.userToken(subject: owner)
            let admin = try await fixture.issuer.userToken(roles: ["admin"])
            let reader = try await fixture.issuer.serviceToken(clientId: "payment-service", scopes: ["order.read"])
            let unscoped = try await fixture.issuer.serviceToken(clientId: "carrier-sim", scopes: ["shipping.carrier"])

            let own = try await client.get("/orders/\(order.id)", bearer: ownerToken)
            #expect(own.status == 200)
            #expect(own.data?["status"]?.stringValue == "PENDING_RESERVATION")
            #expect(own.data?["total"]?["amountMinor"]?.intValue == 3998)
            #expect(own.data?["statusHistory"]?.arrayValue?.count == 1)
            #expect(try await client.get("/orders/\(order.id)", bearer: admin).status == 200)
            #expect(try await client.get("/orders/\(order.id)", bearer: reader).status == 200)
            #expect(try await client.get("/orders/\(order.id)", bearer: unscoped).status == 403)
            let theirs = try await client.get("/orders/\(order.id)", bearer: stranger)
            let unknown = try await client.get("/orders/\(Identifier.make())", bearer: stranger)
            let malformed = try await client.get("/orders/not-a-uuid", bearer: stranger)
            #expect([theirs.status, unknown.status, malformed.status] == [Int](repeating: 404, count: 3))
            #expect(theirs.message == unknown.message)
            // Another user's cancel is 404 before any state check.
            #expect(try await client.post("/orders/\(order.id)/cancel", json: "{}", bearer: stranger).status == 404)
            #expect(try await client.post("/orders/\(order.id)/return/receive", json: "{}", bearer: ownerToken).status == 403)
        }
    }

    @Test func listsCheckTheirParameters() async throws {
        try await OrderServerFixture.with { fixture in
            let client = fixture.client
            let customer = try await fixture.issuer.userToken()
            let admin = try await fixture.issuer.userToken(roles: ["admin"])
            let empty = try await client.get("/orders/me", bearer: customer)
            #expect(empty.status == 200)
            #expect(empty.data?["items"]?.arrayValue?.isEmpty == true)
            #expect(empty.data?["nextCursor"] == .null)
            #expect(try await client.get("/orders/me?status=SHIPPED,NOPE", bearer: customer).status == 400)
            #expect(try await client.get("/orders/me?limit=0", bearer: customer).status == 400)
            #expect(try await client.get("/orders/me?cursor=abc", bearer: customer).status == 400)
            #expect(try await client.get("/orders", bearer: customer).status == 403)
            #expect(try await client.get("/orders?stuck=true&status=CANCELLED", bearer: admin).status == 200)
            #expect(try await client.get("/orders?stuck=maybe", bearer: admin).status == 400)
        }
    }
}
