import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// `POST /inventory/reserve` and `GET /inventory/reservations/{orderId}` over HTTP.
struct ReservationRoutesTests {
    @Test func reserveWithEveryDocumentedAnswer() async throws {
        try await InventoryFixture.with { f in
            let client = f.client
            let main = try await f.createWarehouse("MAIN")
            let shirt = InventoryFixture.newId(), hat = InventoryFixture.newId()
            try await f.receive(shirt, in: main, 5)
            try await f.receive(hat, in: main, 2)
            let order = InventoryFixture.newId()

            #expect(try await f.reserve(order, [(shirt, 1)], token: f.customer).status == 403)
            #expect(try await f.reserve(order, [(shirt, 1)], token: f.reader).status == 403)
            let invalid = try await client.send(.POST, "/inventory/reserve", json: [
                "orderId": "o-1", "lines": [["productId": .string(shirt), "quantity": 0], ["productId": .string(shirt), "quantity": 1]],
                "ttlSeconds": 5,
            ], bearer: f.reserver)
            #expect(invalid.status == 400)
            #expect(Set(invalid.errorFields) == ["orderId", "lines[0].quantity", "ttlSeconds"])
            // Well-formed lines naming one product twice: the document cannot forbid it, so it is a 422.
            let repeated = try await client.send(.POST, "/inventory/reserve", json: [
                "orderId": .string(order), "lines": [["productId": .string(shirt), "quantity": 1], ["productId": .string(shirt.uppercased()), "quantity": 2]],
            ], bearer: f.reserver)
            #expect(repeated.status == 422 && repeated.errorFields == ["lines[1].productId"])
            #expect(try await f.level(shirt).reserved == 0)
            #expect(try await client.send(.POST, "/inventory/reserve", json: ["orderId": .string(order), "lines": []],
                                          bearer: f.reserver).errorFields == ["lines"])

            let created = try await f.reserve(order, [(shirt, 2), (hat, 1)])
            #expect(created.status == 201)
            #expect(created.header("Location") == "/inventory/reservations/\(order)")
            #expect(created.data?["status"]?.stringValue == "ACTIVE" && created.data?["extended"]?.boolValue == false)
            #expect(created.data?["lines"]?.arrayValue?.count == 2)
            // The same order and lines (in any order): 200 with the same reservation, nothing reserved twice.
            let again = try await f.reserve(order, [(hat, 1), (shirt, 2)], token: f.admin)
            #expect(again.status == 200 && again.data?["id"] == created.data?["id"])
            #expect(try await f.level(shirt).reserved == 2)
            let other = try await f.reserve(order, [(shirt, 3)])
            #expect(other.status == 422 && other.errorFields == ["lines"])

            // Short lines: 409, one entry per short line, nothing reserved.
            let short = try await f.reserve(InventoryFixture.newId(), [(shirt, 1), (hat, 5)])
            #expect(short.status == 409)
            #expect(short.errorFields == ["lines[1].quantity"])
            #expect(short.json["errors"]?.arrayValue?.first?["message"]?.stringValue == "productId \(hat): requested 5, available 1")
            #expect(try await f.level(shirt).reserved == 2)

            let read = try await client.get("/inventory/reservations/\(order)", bearer: f.reader)
            #expect(read.status == 200 && read.data?["orderId"]?.stringValue == order)
            #expect(try await client.get("/inventory/reservations/\(order)", bearer: f.admin).status == 200)
            #expect(try await client.get("/inventory/reservations/\(order)", bearer: f.customer).status == 403)
            #expect(try await client.get("/inventory/reservations/\(InventoryFixture.newId())", bearer: f.reader).status == 404)
            #expect(try await client.get("/inventory/reservations/bad", bearer: f.reader).status == 404)
            #expect(try await client.post("/inventory/reserve", json: "{\"orderId\":", bearer: f.reserver).status == 400)
        }
    }

    @Test func openAPIDocumentsEveryInventoryRoute() async throws {
        try await InventoryFixture.with { f in
            let document = try await f.client.get("/openapi.json")
            #expect(document.status == 200)
            let paths = document.json["paths"]
            for path in ["/warehouses", "/warehouses/{id}", "/inventory/{productId}", "/inventory/adjustments",
                         "/inventory/{productId}/warehouses/{warehouseId}", "/inventory/reserve", "/inventory/reservations/{orderId}"] {
                #expect(paths?[path] != nil, "\(path) is documented")
            }
        }
    }
}
