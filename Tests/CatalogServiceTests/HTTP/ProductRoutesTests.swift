import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CatalogService

@Suite("HTTP: products")
struct ProductRoutesTests {
    @Test func createReadUpdateThroughTheEnvelope() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let category = try await fixture.createCategory("Apparel")
            let created = try await fixture.client.send(.POST, "/products", json: [
                "sku": "TS-RED-M", "name": "Red T-shirt", "price": ["amountMinor": 1999, "currency": "EUR"],
                "categoryIds": [.string(category)], "userId": "ignored-unknown-field",
            ], bearer: fixture.adminToken)
            #expect(created.status == 201 && created.code == 201 && created.envelopeStatus == "SUCCESS")
            let id = try #require(created.data?["id"]?.stringValue)
            #expect(created.header("Location") == "/products/\(id)")
            let product = try #require(created.data)
            #expect(product["status"]?.stringValue == "ACTIVE" && product["version"]?.intValue == 1)
            #expect(product["inStock"] == .null && product["availableQuantity"] == .null && product["description"] == .null)
            #expect(product["rating"]?["averageX100"]?.intValue == 0 && product["rating"]?["count"]?.intValue == 0)
            #expect(product["price"]?["amountMinor"]?.intValue == 1999 && product["price"]?["currency"]?.stringValue == "EUR")
            #expect(product["createdAt"]?.stringValue?.hasSuffix("Z") == true)

            let read = try await fixture.client.get("/products/\(id)")
            #expect(read.status == 200 && read.data?["sku"]?.stringValue == "TS-RED-M")

            let patched = try await fixture.client.send(.PATCH, "/products/\(id)", json: [
                "version": 1, "price": ["amountMinor": 1799, "currency": "EUR"], "description": "Organic",
            ], bearer: fixture.adminToken)
            #expect(patched.status == 200 && patched.data?["version"]?.intValue == 2)
            #expect(patched.data?["price"]?["amountMinor"]?.intValue == 1799)

            let stale = try await fixture.client.send(.PATCH, "/products/\(id)", json: ["version": 1, "name": "X"], bearer: fixture.adminToken)
            #expect(stale.status == 409 && stale.message?.contains("current version 2") == true)
        }
    }

    @Test func writeStatuses() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            let body: JSONValue = ["sku": "A-1", "name": "A", "price": ["amountMinor": 100, "currency": "EUR"]]
            #expect(try await client.send(.POST, "/products", json: body).status == 401)
            #expect(try await client.send(.POST, "/products", json: body, bearer: "garbage").status == 401)
            #expect(try await client.send(.POST, "/products", json: body, bearer: fixture.customerToken).status == 403)
            #expect(try await client.send(.POST, "/products", raw: ("sku=A", contentType: "text/plain"), bearer: fixture.adminToken).status == 415)
            #expect(try await client.post("/products", json: "{not json", bearer: fixture.adminToken).status == 400)

            let fractional = try await client.send(.POST, "/products", json: [
                "sku": "A 1", "name": "", "price": ["amountMinor": .number(1.5), "currency": "EUR"],
            ], bearer: fixture.adminToken)
            #expect(fractional.status == 400)
            #expect(Set(fractional.errorFields) == ["sku", "name", "price.amountMinor"])
            let invalid = try await client.send(.POST, "/products", json: [
                "sku": "A 1", "name": "", "price": ["amountMinor": "12", "currency": "EUR"],
            ], bearer: fixture.adminToken)
            #expect(invalid.status == 400)
            #expect(Set(invalid.errorFields) == ["sku", "name", "price.amountMinor"])

            let usd = try await client.send(.POST, "/products", json: [
                "sku": "A-1", "name": "A", "price": ["amountMinor": 100, "currency": "USD"],
            ], bearer: fixture.adminToken)
            #expect(usd.status == 422 && usd.errorFields == ["price.currency"])
            let unknownCategory = try await client.send(.POST, "/products", json: [
                "sku": "A-1", "name": "A", "price": ["amountMinor": 100, "currency": "EUR"], "categoryIds": ["nope"],
            ], bearer: fixture.adminToken)
            #expect(unknownCategory.status == 422)

            #expect(try await client.send(.POST, "/products", json: body, bearer: fixture.adminToken).status == 201)
            let duplicate = try await client.send(.POST, "/products", json: [
                "sku": "a-1", "name": "A", "price": ["amountMinor": 100, "currency": "EUR"],
            ], bearer: fixture.adminToken)
            #expect(duplicate.status == 409 && duplicate.envelopeStatus == "ERROR" && duplicate.json["errors"] != nil)
            #expect(try await client.send(.DELETE, "/products", bearer: fixture.adminToken).status == 405)
        }
    }

    @Test func patchStatuses() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            let id = try await fixture.createProduct("P-1")
            let admin = fixture.adminToken
            #expect(try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "sku": "NEW"], bearer: admin).errorFields.contains("sku"))
            #expect(try await client.send(.PATCH, "/products/\(id)", json: ["version": 1], bearer: admin).status == 400)
            #expect(try await client.send(.PATCH, "/products/\(id)", json: ["name": "No version"], bearer: admin).errorFields == ["version"])
            #expect(try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "status": "GONE"], bearer: admin).errorFields == ["status"])
            #expect(try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "name": "Product P-1"], bearer: admin).status == 400)
            #expect(try await client.send(.PATCH, "/products/0193a1b2-0000-7000-8000-00000000ffff", json: ["version": 1, "name": "X"],
                                          bearer: admin).status == 404)
            #expect(try await client.send(.PATCH, "/products/not-an-id", json: ["version": 1, "name": "X"], bearer: admin).status == 404)
            let draft = try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "status": "DRAFT"], bearer: admin)
            #expect(draft.status == 422 && draft.errorFields == ["status"])
            let usd = try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "price": ["amountMinor": 5, "currency": "GBP"]],
                                            bearer: admin)
            #expect(usd.status == 422)
            let discontinued = try await client.send(.PATCH, "/products/\(id)", json: ["version": 1, "status": "DISCONTINUED"], bearer: admin)
            #expect(discontinued.status == 200 && discontinued.data?["status"]?.stringValue == "DISCONTINUED")
            #expect(try await client.get("/products/\(id)").status == 200, "discontinued products stay visible")
        }
    }

    @Test func draftsAreForAdminsAndInvalidTokensAreIgnoredOnPublicRoutes() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            let draft = try await fixture.createProduct("D-1", status: "DRAFT")
            let active = try await fixture.createProduct("A-1")
            #expect(try await client.get("/products/\(draft)").status == 404)
            #expect(try await client.get("/products/\(draft)", bearer: fixture.customerToken).status == 404)
            #expect(try await client.get("/products/\(draft)", bearer: "not.a.token").status == 404)
            #expect(try await client.get("/products/\(draft)", bearer: fixture.adminToken).status == 200)
            #expect(try await client.get("/products/\(active)", bearer: "not.a.token").status == 200, "an invalid token is ignored")
            #expect(try await client.get("/products/nope").status == 404)

            let drafts = try await client.get("/products?status=DRAFT", bearer: fixture.adminToken)
            #expect(drafts.status == 200 && drafts.data?["items"]?.arrayValue?.count == 1)
            #expect(try await client.get("/products?status=DRAFT").status == 403)
            #expect(try await client.get("/products?status=DISCONTINUED", bearer: fixture.customerToken).status == 403)
            let listed = try await client.get("/products")
            #expect(listed.data?["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [active])
            #expect(listed.data?["nextCursor"] == .null)
        }
    }

    @Test func listQueryValidationAndCursors() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            for index in 0..<5 { _ = try await fixture.createProduct("L-\(index)", name: "Lamp \(index)", price: Int64(100 * index)) }
            for bad in ["limit=0", "limit=101", "limit=x", "minPriceMinor=5&maxPriceMinor=4", "sort=cheapest", "sort=relevance",
                        "status=gone", "q=", "q=%20-%20", "minPriceMinor=-1", "cursor=garbage"] {
                let answer = try await client.get("/products?\(bad)")
                #expect(answer.status == 400, "\(bad)")
            }
            let first = try await client.get("/products?sort=price_asc&limit=2&q=lamp")
            #expect(first.status == 200)
            let cursor = try #require(first.data?["nextCursor"]?.stringValue)
            let second = try await client.get("/products?sort=price_asc&limit=2&q=lamp&cursor=\(cursor)")
            #expect(second.status == 200)
            let prices = (first.data?["items"]?.arrayValue ?? []) + (second.data?["items"]?.arrayValue ?? [])
            #expect(prices.compactMap { $0["price"]?["amountMinor"]?.intValue } == [0, 100, 200, 300])
            let reused = try await client.get("/products?sort=price_desc&limit=2&q=lamp&cursor=\(cursor)")
            #expect(reused.status == 400 && reused.errorFields == ["cursor"])
            #expect(try await client.get("/products?sort=price_asc&limit=2&q=lamps&cursor=\(cursor)").status == 400)
            #expect(try await client.get("/products?q=caf%C3%A9%20lamp").status == 200)
        }
    }
}
