import Contracts
import Foundation
import Hummingbird
import NIOCore
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// When the projection does not show an order payable, payment asks the order service (API.md §1.9)
/// with a client-credentials token; when that service is down, only a final status in the projection stands.
@Suite struct ReadThroughTests {
    /// A stand-in for IAM's token endpoint and the order service's `GET /orders/{id}`.
    final class FakeOrderService: Sendable {
        /// The orders it knows, and the Authorization headers it was sent.
        final class State: Sendable {
            let orders = Mutex<[String: JSONValue]>([:])
            let authorizations = Mutex<[String]>([])
        }

        let state: State
        let server: LiveServer

        init() async throws {
            let state = State()
            self.state = state
            server = try await LiveServer("fake-order") { onRunning in
                let router = Router()
                router.post("/oauth2/token") { _, _ in
                    Response(status: .ok, headers: [.contentType: "application/json"],
                             body: .init(byteBuffer: ByteBuffer(string: #"{"access_token":"svc-token","token_type":"Bearer","expires_in":900}"#)))
                }
                router.get("/orders/:id") { request, context in
                    state.authorizations.withLock { $0.append(request.headers[.authorization] ?? "") }
                    let id = context.parameters.get("id") ?? ""
                    guard let order = state.orders.withLock({ $0[id] }) else {
                        return Response(status: .notFound, headers: [.contentType: "application/json"],
                                        body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ERROR","code":404,"message":"Not found","errors":[]}"#)))
                    }
                    let envelope: JSONValue = ["status": "SUCCESS", "code": 200, "message": "OK", "data": order]
                    return Response(status: .ok, headers: [.contentType: "application/json"],
                                    body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(envelope))))
                }
                return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onRunning)
            }
        }

        func add(orderId: String, userId: String, status: String, totalMinor: Int64) {
            let order: JSONValue = ["id": .string(orderId), "userId": .string(userId), "status": .string(status),
                                    "total": ["amountMinor": .integer(totalMinor), "currency": "EUR"], "paymentDueBy": .null]
            state.orders.withLock { $0[orderId] = order }
        }
    }

    @Test func orderServiceAnswersWhenTheProjectionLags() async throws {
        let orderService = try await FakeOrderService()
        try await PaymentFixture.with(extraEnvironment: [
            "PAYMENT_ORDER_SERVICE_URL": orderService.server.baseURL,
            "OAUTH_TOKEN_URL": orderService.server.baseURL + "/oauth2/token",
            "SERVICE_CLIENT_ID": "payment-service", "SERVICE_CLIENT_SECRET": "payment-secret",
        ]) { fixture in
            let ada = try await fixture.customer()
            // Known only to the order service: paid from its answer, for its total.
            let orderId = UUID().uuidString.lowercased()
            orderService.add(orderId: orderId, userId: ada.userId, status: "AWAITING_PAYMENT", totalMinor: 4200)
            let paid = try await fixture.initiate(orderId, token: "tok_success", as: ada)
            #expect(paid.status == 201 && paid.data?["amount"]?["amountMinor"]?.intValue == 4200)
            // Another user's order stays 404; one the order service does not know either is 404.
            let eve = try await fixture.customer()
            let other = UUID().uuidString.lowercased()
            orderService.add(orderId: other, userId: ada.userId, status: "AWAITING_PAYMENT", totalMinor: 100)
            #expect(try await fixture.initiate(other, token: "tok_success", as: eve).status == 404)
            #expect(try await fixture.initiate(UUID().uuidString.lowercased(), token: "tok_success", as: ada).status == 404)
            // The projection says still reserving; the order service already says AWAITING_PAYMENT.
            let lagging = try await fixture.placeOrder(for: ada.userId, totalMinor: 999, awaitingPayment: false)
            orderService.add(orderId: lagging, userId: ada.userId, status: "AWAITING_PAYMENT", totalMinor: 999)
            #expect(try await fixture.initiate(lagging, token: "tok_success", as: ada).status == 201)
            #expect(orderService.state.authorizations.withLock { $0 }.allSatisfy { $0 == "Bearer svc-token" })
        }
        await orderService.server.stop()
    }

    @Test func unreachableOrderServiceIsNeverA500() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let closedPort = closed.port
        try await PaymentFixture.with(extraEnvironment: [
            "PAYMENT_ORDER_SERVICE_URL": "http://127.0.0.1:\(closedPort)",
            "OAUTH_TOKEN_URL": "http://127.0.0.1:\(closedPort)/oauth2/token",
            "SERVICE_CLIENT_ID": "payment-service", "SERVICE_CLIENT_SECRET": "payment-secret",
        ]) { fixture in
            let ada = try await fixture.customer()
            // Unknown to the projection, or still reserving there: only the order service could say, so 503
            // (try again), not a 404 or 409 the projection's lag made up.
            let unknown = try await fixture.initiate(UUID().uuidString.lowercased(), token: "tok_success", as: ada)
            #expect(unknown.status == 503 && unknown.envelopeStatus == "ERROR")
            let reserving = try await fixture.placeOrder(for: ada.userId, awaitingPayment: false)
            #expect(try await fixture.initiate(reserving, token: "tok_success", as: ada).status == 503)
            #expect(try await fixture.client.send(.GET, "/payments?orderId=\(UUID().uuidString.lowercased())", bearer: ada.token).status == 503)
            // Cancelled in the projection: final, so that answer stands without the order service.
            let cancelled = try await fixture.placeOrder(for: ada.userId)
            try await fixture.publisher.publish(OrderCancelled(orderId: cancelled, reason: "CUSTOMER_REQUEST", refundRequired: false))
            try await eventually("order \(cancelled) cancelled in the projection", timeout: .seconds(60)) {
                try await fixture.store.payableOrder(id: cancelled)?.status == PayableOrder.cancelled
            }
            #expect(try await fixture.initiate(cancelled, token: "tok_success", as: ada).status == 409)
            // Payable in the projection: paid without asking anyone.
            let payable = try await fixture.placeOrder(for: ada.userId)
            #expect(try await fixture.initiate(payable, token: "tok_success", as: ada).status == 201)
        }
    }
}
