import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// `/warehouses` over HTTP: every status API.md §5 lists for it, and who may call.
struct WarehouseRoutesTests {
    @Test func createListReadAndPatchWithEveryStatus() async throws {
        try await InventoryFixture.with(environment: ["MAX_BODY_BYTES": "1024"]) { f in
            let client = f.client
            let oversized = try await client.send(.POST, "/warehouses", json: ["code": "BIG", "name": .string(String(repeating: "x", count: 2000))],
                                                  bearer: f.admin)
            #expect(oversized.status == 413)
            // 401 without a token, 403 for a customer, before the body is read.
            #expect(try await client.send(.POST, "/warehouses", json: [:]).status == 401)
            #expect(try await client.send(.POST, "/warehouses", json: [:], bearer: f.customer).status == 403)
            // 400: every broken field at once.
            let invalid = try await client.send(.POST, "/warehouses", json: [
                "code": "main!", "name": "", "priority": -1, "address": ["line1": "1 Road", "city": "Leeds", "postalCode": "LS1", "country": "gb"],
            ], bearer: f.admin)
            #expect(invalid.status == 400)
            #expect(Set(invalid.errorFields) == ["code", "name", "priority", "address.country"])
            #expect(try await client.send(.POST, "/warehouses", raw: ("code=X", contentType: "text/plain"), bearer: f.admin).status == 415)

            let created = try await client.send(.POST, "/warehouses", json: ["code": "MAIN", "name": "Main warehouse"], bearer: f.admin)
            #expect(created.status == 201)
            let id = try #require(created.data?["id"]?.stringValue)
            #expect(created.header("Location") == "/warehouses/\(id)")
            #expect(created.data?["priority"]?.intValue == 100 && created.data?["active"]?.boolValue == true)
            #expect(created.data?["version"]?.intValue == 1 && created.data?["address"] == .null)
            #expect(try await client.send(.POST, "/warehouses", json: ["code": "MAIN", "name": "Again"], bearer: f.admin).status == 409)
            let second = try await f.createWarehouse("EAST", priority: 5)

            let list = try await client.get("/warehouses", bearer: f.admin)
            #expect(list.status == 200)
            #expect(list.data?.arrayValue?.compactMap { $0["id"]?.stringValue } == [second, id])
            #expect(try await client.get("/warehouses/\(id)", bearer: f.admin).data?["code"]?.stringValue == "MAIN")
            #expect(try await client.get("/warehouses/\(InventoryFixture.newId())", bearer: f.admin).status == 404)
            #expect(try await client.get("/warehouses/not-a-uuid", bearer: f.admin).status == 404)

            let patched = try await client.send(.PATCH, "/warehouses/\(id)", json: ["version": 1, "priority": 1, "active": false], bearer: f.admin)
            #expect(patched.status == 200)
            #expect(patched.data?["version"]?.intValue == 2 && patched.data?["active"]?.boolValue == false)
            let stale = try await client.send(.PATCH, "/warehouses/\(id)", json: ["version": 1, "name": "Late"], bearer: f.admin)
            #expect(stale.status == 409 && stale.errorFields == ["version"])
            #expect(try await client.send(.PATCH, "/warehouses/\(id)", json: ["name": "No version"], bearer: f.admin).errorFields == ["version"])
            #expect(try await client.send(.PATCH, "/warehouses/\(InventoryFixture.newId())", json: ["version": 1, "name": "X"],
                                          bearer: f.admin).status == 404)
            #expect(try await client.send(.DELETE, "/warehouses/\(id)", bearer: f.admin).status == 405)
        }
    }
}
