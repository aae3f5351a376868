import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CatalogService

@Suite("HTTP: the OpenAPI document and generic limits")
struct OpenAPITests {
    @Test func everyRouteAndQueryParameterIsDocumented() async throws {
        try await CatalogHTTPFixture.withServer { fixture in
            let document = try await fixture.client.get("/openapi.json").json
            let paths = try #require(document["paths"])
            let expected: [(String, [String])] = [
                ("/products", ["get", "post"]), ("/products/{id}", ["get", "patch"]), ("/products/{id}/reviews", ["get", "post"]),
                ("/categories", ["get", "post"]), ("/categories/{id}", ["get", "patch", "delete"]), ("/categories/{id}/products", ["get"]),
            ]
            for (path, methods) in expected {
                for method in methods {
                    #expect(paths[path]?[method] != nil, "\(method) \(path)")
                }
            }
            let listParameters = paths["/products"]?["get"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(Set(listParameters) == ["categoryId", "q", "minPriceMinor", "maxPriceMinor", "sort", "status", "limit", "cursor"])
            let reviewParameters = paths["/products/{id}/reviews"]?["get"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(Set(reviewParameters ?? []) == ["id", "limit", "cursor"])
            let patchSchema = paths["/products/{id}"]?["patch"]?["requestBody"]?["content"]?["application/json"]?["schema"]
            #expect(patchSchema?["required"] == ["version"])
            #expect(paths["/products"]?["post"]?["responses"]?["409"] != nil && paths["/products"]?["post"]?["responses"]?["422"] != nil)
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        try await CatalogHTTPFixture.withServer(extra: ["MAX_BODY_BYTES": "2048"]) { fixture in
            let answer = try await fixture.client.send(.POST, "/products", json: [
                "sku": "BIG-1", "name": "Big", "description": .string(String(repeating: "x", count: 4096)),
                "price": ["amountMinor": 1, "currency": "EUR"],
            ], bearer: fixture.adminToken)
            #expect(answer.status == 413 && answer.envelopeStatus == "ERROR")
        }
    }
}
