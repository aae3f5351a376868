import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CatalogService

@Suite("HTTP: categories and reviews")
struct CategoryAndReviewRoutesTests {
    @Test func categoryTreeLifecycle() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            let admin = fixture.adminToken
            let apparel = try await fixture.createCategory("Apparel")
            let shirts = try await fixture.createCategory("T-shirts", parent: apparel)
            let created = try await client.send(.POST, "/categories", json: ["name": "Sale", "parentId": .string(shirts)], bearer: admin)
            #expect(created.status == 201 && created.header("Location")?.hasPrefix("/categories/") == true)
            #expect(created.data?["ancestorIds"]?.arrayValue?.compactMap(\.stringValue) == [apparel, shirts])
            let sale = try #require(created.data?["id"]?.stringValue)

            #expect(try await client.send(.POST, "/categories", json: ["name": "t-SHIRTS", "parentId": .string(apparel)], bearer: admin).status == 409)
            #expect(try await client.send(.POST, "/categories", json: ["name": "X", "parentId": "0193a1b2-0000-7000-8000-00000000ffff"],
                                          bearer: admin).status == 422)
            #expect(try await client.send(.POST, "/categories", json: ["name": ""], bearer: admin).status == 400)
            #expect(try await client.send(.POST, "/categories", json: ["name": "X"], bearer: fixture.customerToken).status == 403)

            let tree = try await client.get("/categories")
            #expect(tree.status == 200)
            let root = try #require(tree.data?.arrayValue?.first)
            #expect(root["parentId"] == .null && root["children"]?.arrayValue?.first?["children"]?.arrayValue?.count == 1)
            #expect(try await client.get("/categories/\(shirts)").data?["children"]?.arrayValue?.count == 1)
            #expect(try await client.get("/categories/nope").status == 404)

            let cycle = try await client.send(.PATCH, "/categories/\(apparel)", json: ["version": 1, "parentId": .string(sale)], bearer: admin)
            #expect(cycle.status == 422 && cycle.errorFields == ["parentId"])
            let moved = try await client.send(.PATCH, "/categories/\(sale)", json: ["version": 1, "parentId": .null], bearer: admin)
            #expect(moved.status == 200 && moved.data?["parentId"] == .null && moved.data?["version"]?.intValue == 2)
            #expect(try await client.send(.PATCH, "/categories/\(sale)", json: ["version": 1, "name": "Deals"], bearer: admin).status == 409)
            #expect(try await client.send(.PATCH, "/categories/\(sale)", json: ["name": "Deals"], bearer: admin).status == 400)

            let product = try await fixture.createProduct("P-1", categories: [shirts])
            #expect(try await client.send(.DELETE, "/categories/\(apparel)", bearer: admin).status == 409)
            #expect(try await client.send(.DELETE, "/categories/\(shirts)", bearer: admin).status == 409)
            let listed = try await client.get("/categories/\(apparel)/products")
            #expect(listed.status == 200 && listed.data?["items"]?.arrayValue?.first?["id"]?.stringValue == product)
            #expect(try await client.get("/categories/0193a1b2-0000-7000-8000-00000000ffff/products").status == 404)
            let deleted = try await client.send(.DELETE, "/categories/\(sale)", bearer: admin)
            #expect(deleted.status == 200 && deleted.json["data"] == .null && deleted.envelopeStatus == "SUCCESS")
            #expect(try await client.send(.DELETE, "/categories/\(sale)", bearer: admin).status == 404)
        }
    }

    @Test func reviewStatusesInTheDocumentedOrder() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let client = fixture.client
            let product = try await fixture.createProduct("P-1")
            let draft = try await fixture.createProduct("D-1", status: "DRAFT")
            let path = "/products/\(product)/reviews"
            #expect(try await client.send(.POST, path, json: ["rating": 5]).status == 401)
            #expect(try await client.send(.POST, path, json: ["rating": 5], bearer: fixture.serviceToken).status == 403)
            #expect(try await client.send(.POST, "/products/\(draft)/reviews", json: ["rating": 9], bearer: fixture.customerToken).status == 404)
            #expect(try await client.send(.POST, path, json: ["rating": 9], bearer: fixture.customerToken).status == 400)
            let fractional = try await client.send(.POST, path, json: ["rating": .number(4.5)], bearer: fixture.customerToken)
            #expect(fractional.status == 400 && fractional.errorFields == ["rating"])
            let notBought = try await client.send(.POST, path, json: ["rating": 5], bearer: fixture.customerToken)
            #expect(notBought.status == 403 && notBought.message?.contains("delivered") == true)
            #expect(try await client.get("/products/\(draft)/reviews").status == 404)
            let empty = try await client.get(path)
            #expect(empty.status == 200 && empty.data?["items"]?.arrayValue?.isEmpty == true)
            #expect(try await client.get(path + "?cursor=x").status == 400)
        }
    }
}
