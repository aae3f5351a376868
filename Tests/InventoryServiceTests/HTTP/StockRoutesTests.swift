import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// Stock levels, adjustments (with Idempotency-Key) and counts over HTTP.
struct StockRoutesTests {
    @Test func adjustmentsCountsAndLevels() async throws {
        try await InventoryFixture.with { f in
            let client = f.client
            let north = try await f.createWarehouse("NORTH", priority: 1)
            let south = try await f.createWarehouse("SOUTH", priority: 2)
            let product = InventoryFixture.newId()
            #expect(try await client.get("/inventory/\(product)", bearer: f.admin).status == 404)
            #expect(try await client.get("/inventory/not-a-uuid", bearer: f.admin).status == 404)

            let adjust: JSONValue = ["productId": .string(product), "warehouseId": .string(north), "delta": 7, "reason": "RECEIPT", "note": "PO 1"]
            let first = try await client.send(.POST, "/inventory/adjustments", json: adjust, bearer: f.admin, headers: [("Idempotency-Key", "receipt-1")])
            #expect(first.status == 201)
            #expect(first.data?["onHand"]?.intValue == 7 && first.data?["available"]?.intValue == 7 && first.data?["version"]?.intValue == 1)
            // The same key and body: the stored answer, byte for byte, and nothing applied twice.
            let replay = try await client.send(.POST, "/inventory/adjustments", json: adjust, bearer: f.admin, headers: [("Idempotency-Key", "receipt-1")])
            #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true" && replay.text == first.text)
            var other = adjust
            if case .object(var fields) = other { fields["delta"] = 8; other = .object(fields) }
            #expect(try await client.send(.POST, "/inventory/adjustments", json: other, bearer: f.admin,
                                          headers: [("Idempotency-Key", "receipt-1")]).status == 422)
            #expect(try await client.send(.POST, "/inventory/adjustments", json: adjust, bearer: f.admin,
                                          headers: [("Idempotency-Key", String(repeating: "k", count: 256))]).status == 400)
            try await f.receive(product, in: south, 3)

            let invalid = try await client.send(.POST, "/inventory/adjustments", json: [
                "productId": "x", "warehouseId": .string(north), "delta": 0, "reason": "GIFT", "note": .string(String(repeating: "n", count: 501)),
            ], bearer: f.admin)
            #expect(invalid.status == 400 && Set(invalid.errorFields) == ["productId", "delta", "reason", "note"])
            #expect(try await client.send(.POST, "/inventory/adjustments", json: ["productId": .string(product), "warehouseId": .string(north),
                                                                                    "delta": .number(1.5), "reason": "RECEIPT"], bearer: f.admin).status == 400)
            let unknown = try await client.send(.POST, "/inventory/adjustments", json: [
                "productId": .string(product), "warehouseId": .string(InventoryFixture.newId()), "delta": 1, "reason": "RECEIPT",
            ], bearer: f.admin)
            #expect(unknown.status == 422 && unknown.errorFields == ["warehouseId"])
            let below = try await client.send(.POST, "/inventory/adjustments", json: [
                "productId": .string(product), "warehouseId": .string(north), "delta": -8, "reason": "DAMAGE",
            ], bearer: f.admin)
            #expect(below.status == 422)
            #expect(try await client.send(.POST, "/inventory/adjustments", json: adjust, bearer: f.customer).status == 403)

            // Levels: summed and per warehouse in priority order, for users and svc:inventory.read.
            let level = try await client.get("/inventory/\(product)", bearer: f.customer)
            #expect(level.status == 200)
            #expect(level.data?["onHand"]?.intValue == 10 && level.data?["available"]?.intValue == 10)
            #expect(level.data?["warehouses"]?.arrayValue?.compactMap { $0["code"]?.stringValue } == ["NORTH", "SOUTH"])
            #expect(try await client.get("/inventory/\(product)", bearer: f.reader).status == 200)
            #expect(try await client.get("/inventory/\(product)", bearer: f.reserver).status == 403)
            #expect(try await client.get("/inventory/\(product)").status == 401)

            // Counts: set on-hand, optionally guarded by the version.
            let countPath = "/inventory/\(product)/warehouses/\(north)"
            let counted = try await client.send(.PUT, countPath, json: ["onHand": 5, "version": 1], bearer: f.admin)
            #expect(counted.status == 200 && counted.data?["onHand"]?.intValue == 5 && counted.data?["version"]?.intValue == 2)
            let stale = try await client.send(.PUT, countPath, json: ["onHand": 6, "version": 1], bearer: f.admin)
            #expect(stale.status == 409 && stale.errorFields == ["version"])
            #expect(try await client.send(.PUT, "/inventory/\(product)/warehouses/\(InventoryFixture.newId())", json: ["onHand": 1],
                                          bearer: f.admin).status == 422)
            #expect(try await client.send(.PUT, countPath, json: ["onHand": -1], bearer: f.admin).status == 400)
            #expect(try await client.send(.PUT, "/inventory/\(product)/warehouses/nope", json: ["onHand": 1], bearer: f.admin).status == 404)
            #expect(try await f.reserve(InventoryFixture.newId(), [(product, 5)]).status == 201)
            #expect(try await client.send(.PUT, countPath, json: ["onHand": 4], bearer: f.admin).status == 422)
            let after = try await f.level(product)
            #expect(after.onHand == 8 && after.reserved == 5 && after.rows[north]?.reserved == 5)
        }
    }
}
