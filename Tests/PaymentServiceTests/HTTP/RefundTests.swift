import Contracts
import Foundation
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Testing

/// Admin refunds: partial and cumulative, never past the capture, even when they race.
@Suite struct RefundTests {
    @Test func refundsAddUpToTheCaptureAndNeverPastIt() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let admin = try await fixture.adminToken()
            let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 3998)
            let paymentId = try #require(try await fixture.initiate(orderId, token: "tok_success", as: ada).dataId)

            // Only admins refund; the customer gets 403. Bad amounts are 400; unknown payments 404.
            #expect(try await fixture.refund(paymentId, amountMinor: 100, bearer: ada.token).status == 403)
            let zero = try await fixture.refund(paymentId, amountMinor: 0, bearer: admin)
            #expect(zero.status == 400 && zero.errorFields == ["amountMinor"])
            #expect(try await fixture.refund(UUID().uuidString.lowercased(), amountMinor: 100, bearer: admin).status == 404)
            let tooMuch = try await fixture.refund(paymentId, amountMinor: 3999, bearer: admin)
            #expect(tooMuch.status == 422 && tooMuch.errorFields == ["amountMinor"])

            let first = try await fixture.refund(paymentId, amountMinor: 998, bearer: admin)
            #expect(first.status == 201 && first.dataStatus == "SUCCEEDED")
            #expect(first.header("Location") == "/payments/status/\(paymentId)")
            #expect(try await fixture.payment(paymentId, bearer: ada.token).dataStatus == "PARTIALLY_REFUNDED")

            // Ten refunds of 1000 race for the remaining 3000: exactly three succeed; the rest are 422 (too much
            // while some are pending) or 409 (nothing left once the payment is fully refunded).
            let answers = try await withThrowingTaskGroup(of: EnvelopeClient.Answer.self) { group in
                for _ in 0..<10 { group.addTask { try await fixture.refund(paymentId, amountMinor: 1000, bearer: admin) } }
                return try await group.reduce(into: [EnvelopeClient.Answer]()) { $0.append($1) }
            }
            #expect(answers.filter { $0.status == 201 }.count == 3, "\(answers.map(\.status))")
            #expect(answers.filter { $0.status == 422 || $0.status == 409 }.count == 7)
            let payment = try await fixture.payment(paymentId, bearer: ada.token)
            #expect(payment.dataStatus == "REFUNDED")
            #expect(payment.data?["refunded"]?["amountMinor"]?.intValue == 3998)
            #expect(payment.data?["refunds"]?.arrayValue?.count == 4)

            // Nothing left: 409 now, since the payment is no longer refundable at all.
            #expect(try await fixture.refund(paymentId, amountMinor: 1, bearer: admin).status == 409)
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentSucceeded"] + Array(repeating: "PaymentRefunded", count: 4))
            let refunded = try await fixture.decode(PaymentRefunded.self, orderId)
            #expect(refunded.map(\.refundedTotal.amountMinor) == [998, 1998, 2998, 3998])
            #expect(refunded.map(\.fullyRefunded) == [false, false, false, true])
        }
    }

    @Test func refundRulesAndKeys() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let admin = try await fixture.adminToken()
            let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 5000)
            // A failed payment has nothing to refund: 409.
            let failedId = try #require(try await fixture.initiate(orderId, token: "tok_fraud", as: ada).dataId)
            #expect(try await fixture.refund(failedId, amountMinor: 100, bearer: admin).status == 409)

            let paymentId = try #require(try await fixture.initiate(orderId, token: "tok_success", as: ada).dataId)
            // With an Idempotency-Key, the same refund twice is one refund.
            let once = try await fixture.refund(paymentId, amountMinor: 1500, bearer: admin, key: "refund-1")
            let twice = try await fixture.refund(paymentId, amountMinor: 1500, bearer: admin, key: "refund-1")
            #expect(once.status == 201 && twice.status == 201 && twice.header("Idempotent-Replayed") == "true")
            #expect(once.dataId == twice.dataId)
            let payment = try await fixture.payment(paymentId, bearer: ada.token)
            #expect(payment.data?["refunded"]?["amountMinor"]?.intValue == 1500)
        }
    }
}
