import Contracts
import Foundation
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Testing

/// The saga's commands on `payment.commands`: each has one effect however often it arrives.
@Suite struct PaymentCommandTests {
    @Test func voidDeliveredTwiceVoidsOnce() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let orderId = try await fixture.placeOrder(for: ada.userId)
            let paymentId = try #require(try await fixture.initiate(orderId, token: "tok_3ds", as: ada).dataId)
            let command = VoidPayment(orderId: orderId, paymentId: paymentId, reason: "RESERVATION_TIMEOUT")
            let eventId = try await fixture.publisher.publish(command)
            try await fixture.publisher.publish(command, eventId: eventId)
            // Re-sent as a new message after it took effect: the payment is terminal, nothing happens.
            try await fixture.waitForStatus(paymentId, .voided)
            // The challenge can no longer be answered.
            #expect(try await fixture.client.send(.POST, "/payments/\(paymentId)/confirm", json: ["result": "PASS"], bearer: ada.token).status == 409)
            try await fixture.publisher.publish(command)
            // A void of a captured payment (or another order's) changes nothing either.
            let capturedOrder = try await fixture.placeOrder(for: ada.userId)
            let capturedId = try #require(try await fixture.initiate(capturedOrder, token: "tok_success", as: ada).dataId)
            try await fixture.publisher.publish(VoidPayment(orderId: capturedOrder, paymentId: capturedId, reason: "PAYMENT_TIMEOUT"))
            try await fixture.publisher.publish(VoidPayment(orderId: capturedOrder, paymentId: paymentId, reason: "PAYMENT_TIMEOUT"))
            try await fixture.waitUntilConsumed(Topics.paymentCommands)

            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentRequiresAction", "PaymentVoided"])
            #expect(try await fixture.store.payment(id: capturedId)?.status == .captured)
            try await fixture.expectEvents(capturedOrder, ["PaymentInitiated", "PaymentSucceeded"])
        }
    }

    @Test func refundDeliveredTwiceRefundsOnce() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 3998)
            let paymentId = try #require(try await fixture.initiate(orderId, token: "tok_success", as: ada).dataId)
            let half = Money(amountMinor: 1999, currency: .EUR)

            // The same message twice (a redelivery), then the same request re-sent as a new message.
            let command = RefundPayment(orderId: orderId, paymentId: paymentId, amount: half, reason: "CUSTOMER_REQUEST",
                                        refundRequestId: "refund-a")
            let eventId = try await fixture.publisher.publish(command)
            try await fixture.publisher.publish(command, eventId: eventId)
            try await fixture.publisher.publish(command)
            // A second, different request for the other half; then one too many.
            try await fixture.publisher.publish(RefundPayment(orderId: orderId, paymentId: paymentId, amount: half, reason: "RETURN",
                                                              refundRequestId: "refund-b"))
            try await fixture.publisher.publish(RefundPayment(orderId: orderId, paymentId: paymentId, amount: half, reason: "RETURN",
                                                              refundRequestId: "refund-c"))
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentSucceeded", "PaymentRefunded", "PaymentRefunded", "RefundFailed"],
                                      ordered: false)
            try await fixture.waitUntilConsumed(Topics.paymentCommands)
            let payment = try #require(try await fixture.store.payment(id: paymentId))
            #expect(payment.status == .refunded && payment.refunded.amountMinor == 3998)
            // One refund row per request: a, b, and the refused c.
            let refunds = try await fixture.store.refunds(paymentId: paymentId)
            #expect(refunds.map(\.requestKey).sorted { ($0 ?? "") < ($1 ?? "") } == ["refund-a", "refund-b", "refund-c"])
            let refunded = try await fixture.decode(PaymentRefunded.self, orderId)
            #expect(Set(refunded.compactMap(\.refundRequestId)) == ["refund-a", "refund-b"])
            let failed = try #require(try await fixture.decode(RefundFailed.self, orderId).first)
            #expect(failed.refundRequestId == "refund-c")
            #expect(failed.failureCode == "NOT_REFUNDABLE" || failed.failureCode == "AMOUNT_EXCEEDS_REFUNDABLE")
        }
    }

    @Test func refundOfARefundFailsPaymentAndOfAnUnknownOne() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 1000)
            let paymentId = try #require(try await fixture.initiate(orderId, token: "tok_refund_fails", as: ada).dataId)
            try await fixture.publisher.publish(RefundPayment(orderId: orderId, paymentId: paymentId,
                                                              amount: Money(amountMinor: 1000, currency: .EUR), reason: "SHIPPING_FAILED"))
            try await fixture.publisher.publish(RefundPayment(orderId: orderId, paymentId: UUID().uuidString.lowercased(),
                                                              amount: Money(amountMinor: 1000, currency: .EUR), reason: "SHIPPING_FAILED"))
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentSucceeded", "RefundFailed", "RefundFailed"])
            let failures = try await fixture.decode(RefundFailed.self, orderId)
            #expect(Set(failures.map(\.failureCode)) == ["REFUND_DECLINED", "PAYMENT_NOT_FOUND"])
            #expect(try await fixture.store.payment(id: paymentId)?.refunded.amountMinor == 0)
        }
    }
}
