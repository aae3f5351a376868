import Contracts
import Foundation
import NIOHTTP1
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Testing

/// Who may pay which order, and when; the reads; and the documented status codes of API.md §6.
@Suite struct InitiateRulesTests {
    @Test func whoMayPayWhatAndWhen() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let eve = try await fixture.customer()

            // 401 without a token, 403 for a service token, 400 for bad fields (all at once).
            let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 2500)
            let anonymous = try await fixture.client.send(.POST, "/payments/initiate", json: ["orderId": .string(orderId)],
                                                          headers: [("Idempotency-Key", "a")])
            #expect(anonymous.status == 401)
            let service = try await fixture.issuer.serviceToken(clientId: "order-service", scopes: ["order.read"])
            #expect(try await fixture.client.send(.POST, "/payments/initiate", json: ["orderId": .string(orderId)], bearer: service,
                                                  headers: [("Idempotency-Key", "a")]).status == 403)
            let invalid = try await fixture.client.send(.POST, "/payments/initiate",
                                                        json: ["orderId": .string(orderId), "method": "CASH", "paymentToken": "4111111111111111"],
                                                        bearer: ada.token, headers: [("Idempotency-Key", "b")])
            #expect(invalid.status == 400 && Set(invalid.errorFields) == ["method", "paymentToken"])

            // 404 for an unknown order and for another user's, alike.
            let unknown = try await fixture.initiate(UUID().uuidString.lowercased(), token: "tok_success", as: ada)
            let foreign = try await fixture.initiate(orderId, token: "tok_success", as: eve)
            #expect(unknown.status == 404 && foreign.status == 404 && unknown.message == foreign.message)

            // The client's amount is ignored: the order's total is charged.
            let open = try await fixture.client.send(.POST, "/payments/initiate",
                                                     json: ["orderId": .string(orderId), "method": "CARD", "paymentToken": "tok_3ds",
                                                            "amount": ["amountMinor": 1, "currency": "EUR"]],
                                                     bearer: ada.token, headers: [("Idempotency-Key", "c")])
            #expect(open.status == 201 && open.data?["amount"]?["amountMinor"]?.intValue == 2500)
            let openId = try #require(open.dataId)
            // A second payment while one is open: 409, whatever the token.
            #expect(try await fixture.initiate(orderId, token: "tok_success", as: ada).status == 409)
            let failed = try await fixture.client.send(.POST, "/payments/\(openId)/confirm", json: ["result": "FAIL"], bearer: ada.token)
            #expect(failed.dataStatus == "FAILED")
            // Once it failed, the customer may try again (the order is still awaiting payment).
            let paid = try await fixture.initiate(orderId, token: "tok_success", as: ada)
            #expect(paid.status == 201 && paid.dataStatus == "CAPTURED")
            // Paid: no third payment, even before OrderPaid arrives.
            #expect(try await fixture.initiate(orderId, token: "tok_success", as: ada).status == 409)

            // An order still reserving, and a cancelled one: 409.
            let reserving = try await fixture.placeOrder(for: ada.userId, awaitingPayment: false)
            #expect(try await fixture.initiate(reserving, token: "tok_success", as: ada).status == 409)
            let cancelled = try await fixture.placeOrder(for: ada.userId)
            try await fixture.publisher.publish(OrderCancelled(orderId: cancelled, reason: "CUSTOMER_REQUEST", refundRequired: false))
            try await eventually("order \(cancelled) cancelled in the projection", timeout: .seconds(60)) {
                try await fixture.store.payableOrder(id: cancelled)?.status == PayableOrder.cancelled
            }
            #expect(try await fixture.initiate(cancelled, token: "tok_success", as: ada).status == 409)
            // A late OrderAwaitingPayment never reopens a cancelled order.
            try await fixture.publisher.publish(OrderAwaitingPayment(orderId: cancelled, userId: ada.userId,
                                                                     total: Money(amountMinor: 3998, currency: .EUR), paymentDueBy: Date()))
            try await fixture.publisher.publish(OrderPaid(orderId: orderId, paymentId: try #require(paid.dataId),
                                                          amount: Money(amountMinor: 2500, currency: .EUR)))
            try await eventually("OrderPaid applied", timeout: .seconds(60)) {
                try await fixture.store.payableOrder(id: orderId)?.status == PayableOrder.paid
            }
            #expect(try await fixture.store.payableOrder(id: cancelled)?.status == PayableOrder.cancelled)
        }
    }

    @Test func reads() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let eve = try await fixture.customer()
            let admin = try await fixture.adminToken()
            let orderId = try await fixture.placeOrder(for: ada.userId)
            let declined = try #require(try await fixture.initiate(orderId, token: "tok_declined", as: ada).dataId)
            let captured = try #require(try await fixture.initiate(orderId, token: "tok_success", as: ada).dataId)

            #expect(try await fixture.payment(captured, bearer: ada.token).status == 200)
            #expect(try await fixture.payment(captured, bearer: admin).status == 200)
            #expect(try await fixture.payment(captured, bearer: eve.token).status == 404)
            #expect(try await fixture.payment("not-a-uuid", bearer: ada.token).status == 404)
            #expect(try await fixture.client.get("/payments/status/\(captured)").status == 401)

            let listed = try await fixture.client.get("/payments?orderId=\(orderId)", bearer: ada.token)
            #expect(listed.status == 200)
            #expect(listed.data?.arrayValue?.compactMap { $0["id"]?.stringValue } == [declined, captured])
            #expect(try await fixture.client.get("/payments?orderId=\(orderId)", bearer: eve.token).status == 404)
            #expect(try await fixture.client.get("/payments?orderId=\(orderId)", bearer: admin).status == 200)
            #expect(try await fixture.client.get("/payments", bearer: ada.token).status == 400)
            #expect(try await fixture.client.get("/payments?orderId=\(UUID().uuidString.lowercased())", bearer: ada.token).status == 404)
            // A known order without payments yet is an empty list.
            let fresh = try await fixture.placeOrder(for: ada.userId)
            let empty = try await fixture.client.get("/payments?orderId=\(fresh)", bearer: ada.token)
            #expect(empty.status == 200 && empty.data?.arrayValue?.isEmpty == true)
            // 405 for a path that exists under another method.
            #expect(try await fixture.client.send(.DELETE, "/payments/status/\(captured)", bearer: ada.token).status == 405)

            let document = try await fixture.client.get("/openapi.json")
            let paths = try #require(document.json["paths"]?.objectValue)
            for path in ["/payments/initiate", "/payments/status/{txnId}", "/payments", "/payments/{id}/confirm", "/payments/{id}/refunds"] {
                #expect(paths[path] != nil, "\(path) is documented")
            }
        }
    }
}
