import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import ShippingService

/// Shipping over real HTTP in process: every status code API.md §7 lists for its four routes, the
/// envelope, auth and scopes, and the document.
@Suite struct ShipmentRoutesTests {
    @Test func scheduleAnswers201Then200WithTheFirstShipment() async throws {
        try await ShippingServerFixture.run { fixture in
            let orderId = ShippingFixture.newId(), userId = ShippingFixture.newId()
            let writer = try await fixture.writerToken()
            let first = try await fixture.schedule(ShippingServerFixture.scheduleBody(orderId: orderId, userId: userId), bearer: writer)
            #expect(first.status == 201 && first.code == 201 && first.envelopeStatus == "SUCCESS")
            let shipmentId = try #require(first.data?["id"]?.stringValue)
            #expect(first.header("Location") == "/shipping/shipments/\(shipmentId)")
            #expect(first.data?["status"]?.stringValue == "LABEL_CREATED")
            #expect(first.data?["carrier"]?.stringValue == "SIMCARRIER")
            #expect(first.data?["cost"] == ["amountMinor": 499, "currency": "EUR"])
            #expect(first.data?["shippedAt"] == .null && first.data?["deliveredAt"] == .null)
            #expect(first.data?["trackingNumber"]?.stringValue?.hasPrefix("SIM") == true)

            // Another body for the same order (by an admin this time): the first wins.
            let again = try await fixture.schedule(ShippingServerFixture.scheduleBody(orderId: orderId, method: "EXPRESS", country: "FR"),
                                                   bearer: try await fixture.adminToken())
            #expect(again.status == 200 && again.data == first.data)
        }
    }

    @Test func scheduleRefusesBadInputScopesAndTheRefusedCountry() async throws {
        try await ShippingServerFixture.run { fixture in
            let writer = try await fixture.writerToken()
            let valid = ShippingServerFixture.scheduleBody()
            #expect(try await fixture.schedule(valid, bearer: nil).status == 401)
            #expect(try await fixture.schedule(valid, bearer: "not.a.token").status == 401)
            #expect(try await fixture.schedule(valid, bearer: try await fixture.userToken(ShippingFixture.newId())).status == 403)
            #expect(try await fixture.schedule(valid, bearer: try await fixture.carrierToken()).status == 403)

            let invalid: JSONValue = ["orderId": "nope", "userId": .string(ShippingFixture.newId()), "method": "BY_PIGEON",
                                      "shipTo": ["recipientName": "", "line1": "x", "city": "y", "postalCode": "z", "country": "gb"],
                                      "lines": [["productId": .string(ShippingFixture.newId()), "quantity": 0]]]
            let bad = try await fixture.schedule(invalid, bearer: writer)
            #expect(bad.status == 400 && bad.envelopeStatus == "ERROR")
            #expect(Set(bad.errorFields) == ["orderId", "method", "shipTo.recipientName", "shipTo.country", "lines[0].quantity"], "\(bad.text)")
            var fractional = ShippingServerFixture.scheduleBody()
            fractional = fractional.replacing(lines: [["productId": .string(ShippingFixture.newId()), "quantity": .number(1.5)]])
            let fraction = try await fixture.schedule(fractional, bearer: writer)
            #expect(fraction.status == 400, "\(fraction.text)")
            let malformed = try await fixture.client.post("/shipping/schedule", json: "{", bearer: writer)
            #expect(malformed.status == 400)
            let wrongType = try await fixture.client.send(.POST, "/shipping/schedule", raw: ("orderId=1", contentType: "text/plain"), bearer: writer)
            #expect(wrongType.status == 415)

            let orderId = ShippingFixture.newId()
            let refused = try await fixture.schedule(ShippingServerFixture.scheduleBody(orderId: orderId, country: "AQ"), bearer: writer)
            #expect(refused.status == 422 && refused.errorFields == ["shipTo.country"])
            #expect(try await fixture.client.get("/shipping/track/\(orderId)", bearer: try await fixture.adminToken()).status == 404)
        }
    }

    @Test func trackAndShipmentAreForTheOwnerAndAdmins() async throws {
        try await ShippingServerFixture.run { fixture in
            let userId = ShippingFixture.newId(), orderId = ShippingFixture.newId()
            let shipmentId = try await fixture.scheduledShipment(userId: userId, orderId: orderId)
            let owner = try await fixture.userToken(userId)
            let stranger = try await fixture.userToken(ShippingFixture.newId())
            let admin = try await fixture.adminToken()

            let tracked = try await fixture.client.get("/shipping/track/\(orderId)", bearer: owner)
            #expect(tracked.status == 200)
            #expect(tracked.data?["shipmentId"]?.stringValue == shipmentId && tracked.data?["orderId"]?.stringValue == orderId)
            #expect(tracked.data?["events"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["LABEL_CREATED"])
            #expect(try await fixture.client.get("/shipping/track/\(orderId)", bearer: admin).status == 200)
            #expect(try await fixture.client.get("/shipping/shipments/\(shipmentId)", bearer: owner).status == 200)
            #expect(try await fixture.client.get("/shipping/shipments/\(shipmentId)", bearer: admin).status == 200)

            // Another user's, unknown and malformed ids all answer the same 404.
            let hidden = try await fixture.client.get("/shipping/track/\(orderId)", bearer: stranger)
            let unknown = try await fixture.client.get("/shipping/track/\(ShippingFixture.newId())", bearer: owner)
            let malformed = try await fixture.client.get("/shipping/shipments/not-an-id", bearer: admin)
            let strangerShipment = try await fixture.client.get("/shipping/shipments/\(shipmentId)", bearer: stranger)
            for answer in [hidden, unknown, malformed, strangerShipment] {
                #expect(answer.status == 404 && answer.message == "Not found")
            }
            #expect(try await fixture.client.get("/shipping/track/\(orderId)").status == 401)
            #expect(try await fixture.client.send(.DELETE, "/shipping/track/\(orderId)", bearer: admin).status == 405)
        }
    }

    @Test func carrierEventsMoveTheShipmentAndAreDeduplicated() async throws {
        try await ShippingServerFixture.run { fixture in
            let userId = ShippingFixture.newId(), orderId = ShippingFixture.newId()
            let shipmentId = try await fixture.scheduledShipment(userId: userId, orderId: orderId)
            let carrier = try await fixture.carrierToken()
            let dispatched: JSONValue = ["carrierEventId": "ev-1", "status": "DISPATCHED", "location": "Leeds hub",
                                         "occurredAt": "2026-11-25T20:01:26.123Z"]

            #expect(try await fixture.postEvent(shipmentId, dispatched, bearer: nil).status == 401)
            #expect(try await fixture.postEvent(shipmentId, dispatched, bearer: try await fixture.writerToken()).status == 403)
            #expect(try await fixture.postEvent(shipmentId, dispatched, bearer: try await fixture.userToken(userId)).status == 403)
            #expect(try await fixture.postEvent(ShippingFixture.newId(), dispatched, bearer: carrier).status == 404)
            #expect(try await fixture.postEvent("nope", dispatched, bearer: carrier).status == 404)

            let applied = try await fixture.postEvent(shipmentId, dispatched, bearer: carrier)
            #expect(applied.status == 201 && applied.data?["status"]?.stringValue == "DISPATCHED")
            #expect(applied.data?["shippedAt"]?.stringValue == "2026-11-25T20:01:26.123Z")
            #expect(applied.data?["version"]?.intValue == 2)
            #expect(applied.header("Idempotent-Replayed") == nil)
            let replay = try await fixture.postEvent(shipmentId, dispatched, bearer: carrier)
            #expect(replay.status == 200 && replay.header("Idempotent-Replayed") == "true" && replay.data == applied.data)

            let invalid = try await fixture.postEvent(shipmentId, ["carrierEventId": "", "status": "LOST", "final": true,
                                                                   "occurredAt": "yesterday"], bearer: carrier)
            #expect(invalid.status == 400 && Set(invalid.errorFields) == ["carrierEventId", "status", "occurredAt", "final"])
            let finalWithoutFailure = try await fixture.postEvent(shipmentId, ["carrierEventId": "ev-x", "status": "IN_TRANSIT", "final": true],
                                                                  bearer: carrier)
            #expect(finalWithoutFailure.status == 400 && finalWithoutFailure.errorFields == ["final"])
            let twice = try await fixture.postEvent(shipmentId, ["carrierEventId": "ev-2", "status": "DISPATCHED"], bearer: carrier)
            #expect(twice.status == 409 && twice.envelopeStatus == "ERROR")

            let admin = try await fixture.adminToken()
            for (id, status) in [("ev-3", "IN_TRANSIT"), ("ev-4", "DELIVERED")] {
                let answer = try await fixture.postEvent(shipmentId, ["carrierEventId": .string(id), "status": .string(status),
                                                                      "location": "London"], bearer: admin)
                #expect(answer.status == 201)
            }
            let tracked = try await fixture.client.get("/shipping/track/\(orderId)", bearer: try await fixture.userToken(userId))
            #expect(tracked.data?["status"]?.stringValue == "DELIVERED")
            #expect(tracked.data?["events"]?.arrayValue?.compactMap { $0["status"]?.stringValue }
                == ["LABEL_CREATED", "DISPATCHED", "IN_TRANSIT", "DELIVERED"])
            let late = try await fixture.postEvent(shipmentId, ["carrierEventId": "ev-5", "status": "RETURNED_TO_SENDER"], bearer: carrier)
            #expect(late.status == 409)
        }
    }

    @Test func theDocumentListsEveryRoute() async throws {
        try await ShippingServerFixture.run { fixture in
            let document = try await fixture.client.get("/openapi.json")
            #expect(document.status == 200)
            let paths = try #require(document.json["paths"])
            #expect(paths["/shipping/schedule"]?["post"]?["responses"]?["201"] != nil)
            #expect(paths["/shipping/schedule"]?["post"]?["responses"]?["422"] != nil)
            #expect(paths["/shipping/track/{orderId}"]?["get"] != nil)
            #expect(paths["/shipping/shipments/{shipmentId}"]?["get"]?["responses"]?["404"] != nil)
            #expect(paths["/shipping/shipments/{shipmentId}/events"]?["post"]?["responses"]?["409"] != nil)
        }
    }
}
