import Contracts
import Foundation
@testable import OrderService
import ServiceKit
import ShopTestSupport
import Testing

/// The cart over HTTP (API.md §4.1), the service in process: every status of the table, prices from the
/// projection at read time.
@Suite struct CartRoutesTests {
    @Test func anEmptyCartAndWhoMayAsk() async throws {
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let empty = try await fixture.cart(ada)
            #expect(empty.status == 200 && empty.envelopeStatus == "SUCCESS")
            #expect(empty.data?["items"]?.arrayValue?.isEmpty == true)
            #expect(empty.data?["subtotal"] == ["amountMinor": 0, "currency": "EUR"])
            #expect(empty.data?["itemCount"]?.intValue == 0)
            #expect(empty.data?["updatedAt"]?.stringValue == "2027-01-15T08:00:00.000Z")

            // 401 without or with a bad token; 403 for a service token, on every route, before the body.
            #expect(try await fixture.client.get("/cart").status == 401)
            #expect(try await fixture.client.get("/cart", bearer: "not-a-token").status == 401)
            let service = try await fixture.issuer.serviceToken(clientId: "payment-service", scopes: ["order.read"])
            let productId = UUID().uuidString.lowercased()
            #expect(try await fixture.client.get("/cart", bearer: service).status == 403)
            #expect(try await fixture.client.send(.PUT, "/cart/items/\(productId)", json: ["quantity": 1], bearer: service).status == 403)
            #expect(try await fixture.client.send(.PUT, "/cart/items/\(productId)", raw: ("{", "application/json"), bearer: service).status == 403)
            #expect(try await fixture.client.send(.DELETE, "/cart/items/\(productId)", bearer: service).status == 403)
            #expect(try await fixture.client.send(.DELETE, "/cart", bearer: service).status == 403)
            #expect(try await fixture.client.send(.DELETE, "/cart").status == 401)
            // An admin has a cart of their own.
            let admin = try await fixture.issuer.userToken(roles: ["admin"])
            #expect(try await fixture.client.get("/cart", bearer: admin).status == 200)
        }
    }

    @Test func putSetsTheQuantityAndLinesArePricedFromTheProjection() async throws {
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let shirt = try await fixture.catalogProduct(priceMinor: 1999, sku: "TS-RED-M", name: "Red T-shirt")
            let mug = try await fixture.catalogProduct(priceMinor: 850, sku: "MUG-1", name: "Mug")

            let first = try await fixture.setItem(shirt, quantity: 2, as: ada)
            #expect(first.status == 200)
            #expect(first.data?.cartItem(0) == ["productId": .string(shirt), "sku": "TS-RED-M", "name": "Red T-shirt", "quantity": 2,
                                                 "unitPrice": ["amountMinor": 1999, "currency": "EUR"],
                                                 "lineTotal": ["amountMinor": 3998, "currency": "EUR"], "productStatus": "ACTIVE"])
            _ = try await fixture.setItem(mug, quantity: 1, as: ada)
            // Sets, does not add; the line keeps its place.
            let cart = try await fixture.setItem(shirt.uppercased(), quantity: 3, as: ada)
            #expect(cart.data?["items"]?.arrayValue?.map { $0["productId"]?.stringValue } == [shirt, mug])
            #expect(cart.data?.cartItem(0)?["quantity"]?.intValue == 3)
            #expect(cart.data?["subtotal"] == ["amountMinor": 6847, "currency": "EUR"])
            #expect(cart.data?["itemCount"]?.intValue == 4)

            // A price change reaches the cart at the next read; the cart stores no price.
            try await fixture.project(ProductPriceChanged(productId: mug, oldPrice: Money(amountMinor: 850, currency: .EUR),
                                                          newPrice: Money(amountMinor: 1000, currency: .EUR), effectiveAt: Date(), version: 2))
            let repriced = try await fixture.cart(ada)
            #expect(repriced.data?.cartItem(1)?["unitPrice"]?["amountMinor"]?.intValue == 1000)
            #expect(repriced.data?["subtotal"]?["amountMinor"]?.intValue == 6997)
            // A line discontinued after it was added stays, shown as such.
            try await fixture.project(ProductDiscontinued(productId: mug, reason: nil, version: 3, at: Date()))
            #expect(try await fixture.cart(ada).data?.cartItem(1)?["productStatus"]?.stringValue == "DISCONTINUED")

            // Another user's cart is theirs alone.
            #expect(try await fixture.cart(try await fixture.shopper()).data?["itemCount"]?.intValue == 0)
        }
    }

    @Test func badBodiesAre400AndUnknownProductsAre404() async throws {
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let shirt = try await fixture.catalogProduct()
            for quantity: JSONValue in [0, 100, -1, "2", .null] {
                let answer = try await fixture.setItem(shirt, quantity: quantity, as: ada)
                #expect(answer.status == 400 && answer.errorFields == ["quantity"], "quantity \(quantity)")
            }
            // A fraction is malformed JSON for an integer field (API.md §1.3).
            #expect(try await fixture.setItem(shirt, quantity: .number(1.5), as: ada).status == 400)
            #expect(try await fixture.client.send(.PUT, "/cart/items/\(shirt)", json: [:], bearer: ada.token).status == 400)
            #expect(try await fixture.client.send(.PUT, "/cart/items/\(shirt)", raw: ("{", "application/json"), bearer: ada.token).status == 400)
            #expect(try await fixture.client.send(.PUT, "/cart/items/\(shirt)", raw: ("quantity=1", "text/plain"), bearer: ada.token).status == 415)
            // Body before id: a malformed id with a bad body is 400; with a good body 404.
            #expect(try await fixture.setItem("not-a-uuid", quantity: 0, as: ada).status == 400)
            #expect(try await fixture.setItem("not-a-uuid", quantity: 1, as: ada).status == 404)
            // A draft is unknown to buyers.
            let draft = try await fixture.catalogProduct(status: "DRAFT")
            let answer = try await fixture.setItem(draft, quantity: 1, as: ada)
            #expect(answer.status == 404 && answer.envelopeStatus == "ERROR")
            #expect(try await fixture.cart(ada).data?["itemCount"]?.intValue == 0)
        }
    }

    @Test func discontinuedFullAndOverflowingAre422AndWriteNothing() async throws {
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let gone = try await fixture.catalogProduct(status: "ACTIVE")
            try await fixture.project(ProductDiscontinued(productId: gone, reason: nil, version: 2, at: Date()))
            let discontinued = try await fixture.setItem(gone, quantity: 1, as: ada)
            #expect(discontinued.status == 422 && discontinued.errorFields == ["items[\(gone)]"])

            var products: [String] = []
            for _ in 0..<OrderStore.maxCartLines {
                let id = try await fixture.catalogProduct(priceMinor: 100)
                products.append(id)
                #expect(try await fixture.setItem(id, quantity: 1, as: ada).status == 200)
            }
            let extra = try await fixture.catalogProduct()
            let full = try await fixture.setItem(extra, quantity: 1, as: ada)
            #expect(full.status == 422 && full.errorFields == ["cart"])
            // Changing a line of a full cart is fine; so is adding after removing one.
            #expect(try await fixture.setItem(products[0], quantity: 5, as: ada).status == 200)
            #expect(try await fixture.removeItem(products[1], as: ada).data?["items"]?.arrayValue?.count == 49)
            #expect(try await fixture.setItem(extra, quantity: 1, as: ada).status == 200)

            // A total beyond Int64 is 422 and the quantity stays what it was.
            let bob = try await fixture.shopper()
            let dear = try await fixture.catalogProduct(priceMinor: Int64.max / 2)
            #expect(try await fixture.setItem(dear, quantity: 2, as: bob).status == 200)
            let overflow = try await fixture.setItem(dear, quantity: 3, as: bob)
            #expect(overflow.status == 422 && overflow.errorFields == ["cart"])
            #expect(try await fixture.cart(bob).data?.cartItem(0)?["quantity"]?.intValue == 2)
        }
    }

    @Test func deletingALineOrTheCart() async throws {
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let shirt = try await fixture.catalogProduct(priceMinor: 1999)
            let mug = try await fixture.catalogProduct(priceMinor: 850)
            _ = try await fixture.setItem(shirt, quantity: 2, as: ada)
            _ = try await fixture.setItem(mug, quantity: 1, as: ada)

            fixture.clock.advance(by: 60)
            let removed = try await fixture.removeItem(shirt, as: ada)
            #expect(removed.status == 200 && removed.data?["items"]?.arrayValue?.count == 1)
            #expect(removed.data?["updatedAt"]?.stringValue == "2027-01-15T08:01:00.000Z")
            // Absent, unknown or malformed: 200 with the cart as it is.
            #expect(try await fixture.removeItem(shirt, as: ada).data?["itemCount"]?.intValue == 1)
            #expect(try await fixture.removeItem(UUID().uuidString, as: ada).status == 200)
            #expect(try await fixture.removeItem("not-a-uuid", as: ada).data?["itemCount"]?.intValue == 1)

            let emptied = try await fixture.client.send(.DELETE, "/cart", bearer: ada.token)
            #expect(emptied.status == 200 && emptied.data?["items"]?.arrayValue?.isEmpty == true)
            #expect(emptied.data?["subtotal"] == ["amountMinor": 0, "currency": "EUR"] && emptied.data?["itemCount"]?.intValue == 0)
            #expect(try await fixture.cart(ada).data?["itemCount"]?.intValue == 0)
        }
    }

    @Test func anUnknownProductWithoutReadThroughIs503() async throws {
        // No client secret configured: the projection cannot be completed, and that is not a 500.
        try await CartFixture.with { fixture in
            let ada = try await fixture.shopper()
            let answer = try await fixture.setItem(UUID().uuidString.lowercased(), quantity: 1, as: ada)
            #expect(answer.status == 503 && answer.code == 503 && answer.envelopeStatus == "ERROR")
        }
    }

    @Test func theOpenAPIDocumentShowsTheCart() async throws {
        try await CartFixture.with { fixture in
            let document = try await fixture.client.get("/openapi.json")
            let paths = document.json["paths"]
            #expect(paths?["/cart"]?["get"]?["responses"]?["200"] != nil)
            #expect(paths?["/cart/items/{productId}"]?["put"]?["responses"]?["404"] != nil)
            #expect(paths?["/cart/items/{productId}"]?["put"]?["responses"]?["503"] != nil)
            #expect(paths?["/cart"]?["delete"] != nil && paths?["/cart/items/{productId}"]?["delete"] != nil)
        }
    }
}
