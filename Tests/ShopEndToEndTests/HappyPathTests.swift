import Foundation
import ServiceKit
import ShopTestSupport
import Testing

extension SharedStack {
    /// API.md §11, step by step, through the gateway.
    @Suite struct HappyPath {
        static let happySequence = ["PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "PAID", "FULFILLING", "SHIPPED", "DELIVERED"]

        @Test func walkthroughToDelivered() async throws {
            try await onStack { stack, shop in
                let http = shop.http
                let customer = try await shop.newCustomer("ada")
                let admin = try await stack.admin()

                // 4: categories; 5: the product in the child category.
                let apparel = try shop.expectStatus(try await http.send(.POST, "/categories", json: ["name": .string(ShopClient.unique("Apparel"))], bearer: admin), 201, "root category")
                let c1 = try #require(apparel.data?["id"]?.stringValue)
                let shirts = try shop.expectStatus(try await http.send(.POST, "/categories", json: ["name": "T-shirts", "parentId": .string(c1)], bearer: admin), 201, "child category")
                let c2 = try #require(shirts.data?["id"]?.stringValue)
                let product = try await shop.createProduct(priceMinor: 1999, categoryIds: [c2])
                // 6, 7: warehouse and stock.
                let warehouse = try await shop.createWarehouse()
                let adjusted = try await shop.adjust(product: product, warehouse: warehouse, delta: 10)
                #expect(adjusted.data?["onHand"]?.intValue == 10)
                // 8: the public subtree listing.
                let listed = try shop.expectStatus(try await http.get("/categories/\(c1)/products"), 200, "category products")
                #expect(listed.data?["items"]?.arrayValue?.contains { $0["id"]?.stringValue == product } == true, "\(listed.text.prefix(400))")
                // 9: the profile.
                try shop.expectStatus(try await http.get("/customers/me", bearer: customer.token), 200, "GET /customers/me")
                try shop.expectStatus(try await http.send(.PUT, "/customers/me", json: ["firstName": "Ada", "lastName": "Lovelace"], bearer: customer.token), 200, "PUT /customers/me")
                // 10: the address.
                let addressAnswer = try shop.expectStatus(try await http.send(.POST, "/customers/me/addresses", json: [
                    "recipientName": "Ada Lovelace", "line1": "12 St James's Sq", "city": "London", "postalCode": "SW1Y 4JH", "country": "GB",
                ], bearer: customer.token), 201, "address")
                let address = try #require(addressAnswer.data?["id"]?.stringValue)
                #expect(addressAnswer.data?["isDefaultShipping"]?.boolValue == true)
                // 11: the cart.
                let cart = try await shop.setCartLine(customer, product: product, quantity: 2)
                #expect(ShopClient.minor(cart.data?["subtotal"]) == 3998, "\(cart.text)")
                // 12: the order.
                let placed = try shop.expectStatus(try await shop.placeOrderAnswer(customer, address: address, key: "K1-" + UUID().uuidString), 201, "POST /orders")
                let order = try #require(placed.data?["id"]?.stringValue)
                #expect(placed.data?["status"]?.stringValue == "PENDING_RESERVATION")
                #expect(ShopClient.total(placed.data ?? .null) == 3998)
                #expect(placed.data?["total"]?["currency"]?.stringValue == "EUR")
                #expect(placed.header("Location") == "/orders/\(order)")
                let cartAfter = try shop.expectStatus(try await http.get("/cart", bearer: customer.token), 200, "GET /cart")
                #expect(cartAfter.data?["items"]?.arrayValue?.isEmpty == true, "the cart is emptied by the order: \(cartAfter.text)")
                // 13: reserved.
                let awaiting = try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                #expect(awaiting["paymentDueBy"]?.stringValue != nil, "paymentDueBy is set in AWAITING_PAYMENT")
                try await shop.waitForStock(product, onHand: 10, reserved: 2)
                // 14: payment.
                let payment = try await shop.pay(customer, order: order, token: "tok_success", key: "K2-" + UUID().uuidString)
                let paymentId = try #require(payment["id"]?.stringValue)
                #expect(payment["status"]?.stringValue == "CAPTURED")
                #expect(ShopClient.minor(payment["amount"]) == 3998)
                // 15: to FULFILLING through PAYMENT_PROCESSING and PAID.
                let fulfilling = try await shop.waitForStatus(customer, order, "FULFILLING")
                #expect(isSubsequence(["PAYMENT_PROCESSING", "PAID", "FULFILLING"], of: ShopClient.history(fulfilling)), "\(ShopClient.history(fulfilling))")
                let status = try shop.expectStatus(try await http.get("/payments/status/\(paymentId)", bearer: customer.token), 200, "payment status")
                #expect(status.data?["status"]?.stringValue == "CAPTURED")
                // 16: the label.
                let tracking = try await shop.waitForTracking(customer, order: order)
                #expect(tracking["status"]?.stringValue == "LABEL_CREATED")
                #expect(tracking["trackingNumber"]?.stringValue?.isEmpty == false)
                let shipment = try #require(tracking["shipmentId"]?.stringValue)
                // 17: no review before delivery.
                let early = try await http.send(.POST, "/products/\(product)/reviews", json: ["rating": 5], bearer: customer.token)
                #expect(early.status == 403, "review before delivery: \(early.status) \(early.text)")
                // 18, 19: the carrier.
                try await shop.carrierEvent(shipment: shipment, status: "DISPATCHED", location: "Leeds hub", eventId: "ev-1-\(order)")
                let shipped = try await shop.waitForStatus(customer, order, "SHIPPED")
                #expect(shipped["trackingNumber"]?.stringValue == tracking["trackingNumber"]?.stringValue)
                try await shop.carrierEvent(shipment: shipment, status: "IN_TRANSIT", location: "London depot", eventId: "ev-2-\(order)")
                try await shop.carrierEvent(shipment: shipment, status: "DELIVERED", location: "London", eventId: "ev-3-\(order)")
                let delivered = try await shop.waitForStatus(customer, order, "DELIVERED")
                #expect(ShopClient.history(delivered) == Self.happySequence)
                #expect(delivered["cancelReason"] == .null)
                #expect(delivered["stuck"]?.boolValue == false)
                // 20: tracking events in order.
                let finalTracking = try await shop.waitForTracking(customer, order: order)
                let events = finalTracking["events"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
                #expect(events == ["LABEL_CREATED", "DISPATCHED", "IN_TRANSIT", "DELIVERED"])
                // 21: stock committed.
                let level = try await shop.waitForStock(product, onHand: 8, reserved: 0)
                #expect(level.available == 8)
                // The money: one payment, captured the total, nothing refunded.
                let payments = try await shop.payments(customer, order: order)
                #expect(payments.count == 1)
                #expect(ShopClient.minor(payments.first?["captured"]) == 3998)
                #expect(ShopClient.minor(payments.first?["refunded"]) == 0)
                // 22: the review, once eligibility has propagated (retry while 403).
                var review: EnvelopeClient.Answer?
                try await eventually("review accepted after delivery", timeout: ShopClient.waitBound, every: ShopClient.pollInterval) {
                    review = try await http.send(.POST, "/products/\(product)/reviews", json: ["rating": 5, "comment": "Fits well"], bearer: customer.token)
                    return review?.status != 403
                }
                #expect(review?.status == 201, "\(review?.text ?? "")")
                #expect(review?.data?["status"]?.stringValue == "PUBLISHED")
                let reviews = try shop.expectStatus(try await http.get("/products/\(product)/reviews"), 200, "reviews")
                #expect(reviews.data?["items"]?.arrayValue?.count == 1)
                let again = try await http.send(.POST, "/products/\(product)/reviews", json: ["rating": 4], bearer: customer.token)
                #expect(again.status == 409)
            }
        }

        /// Another user's order, payment, shipment and tracking answer 404 (never 403, never 409).
        @Test func anotherUsersCheckoutIsNotFound() async throws {
            try await onStack { _, shop in
                let (owner, _, order) = try await shop.fulfillingOrder()
                let stranger = try await shop.newCustomer("stranger")
                let http = shop.http
                let payment = try #require(try await shop.payments(owner, order: order).first?["id"]?.stringValue)
                let shipment = try await shop.shipmentId(owner, order: order)
                let probes: [(String, EnvelopeClient.Answer)] = [
                    ("GET /orders/{id}", try await http.get("/orders/\(order)", bearer: stranger.token)),
                    ("POST /orders/{id}/cancel", try await http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: stranger.token)),
                    ("GET /payments?orderId", try await http.get("/payments?orderId=\(order)", bearer: stranger.token)),
                    ("GET /payments/status/{id}", try await http.get("/payments/status/\(payment)", bearer: stranger.token)),
                    ("GET /shipping/track/{orderId}", try await http.get("/shipping/track/\(order)", bearer: stranger.token)),
                    ("GET /shipping/shipments/{id}", try await http.get("/shipping/shipments/\(shipment)", bearer: stranger.token)),
                    ("POST /payments/initiate", try await shop.payAnswer(stranger, order: order, token: "tok_success")),
                ]
                for (what, answer) in probes {
                    #expect(answer.status == 404, "\(what) as another user: \(answer.status) \(answer.text.prefix(300))")
                }
                // The owner still sees all of it, and nothing changed.
                let mine = try await shop.order(owner, order)
                #expect(mine["status"]?.stringValue == "FULFILLING")
            }
        }
    }
}
