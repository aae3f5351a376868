import Contracts
import Foundation
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Testing

/// Every test token of API.md §6 end to end: the answer of `initiate`, the payment's status over time,
/// and the events published on `payment.payment.v1`.
@Suite struct TokenFlowTests {
    @Test func synchronousTokens() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()

            // token → (status, failureCode, retryable, events)
            let cases: [(String, String, String?, Bool?, [String])] = [
                ("tok_success", "CAPTURED", nil, nil, ["PaymentInitiated", "PaymentSucceeded"]),
                ("tok_declined", "FAILED", "CARD_DECLINED", true, ["PaymentInitiated", "PaymentFailed"]),
                ("tok_insufficient_funds", "FAILED", "INSUFFICIENT_FUNDS", true, ["PaymentInitiated", "PaymentFailed"]),
                ("tok_fraud", "FAILED", "FRAUD_SUSPECTED", false, ["PaymentInitiated", "PaymentFailed"]),
                ("tok_refund_fails", "CAPTURED", nil, nil, ["PaymentInitiated", "PaymentSucceeded"]),
                ("tok_amount_mismatch", "CAPTURED", nil, nil, ["PaymentInitiated", "PaymentSucceeded"]),
            ]
            for (token, status, failureCode, retryable, events) in cases {
                let orderId = try await fixture.placeOrder(for: ada.userId, totalMinor: 3998)
                let answer = try await fixture.initiate(orderId, token: token, as: ada)
                #expect(answer.status == 201, "\(token): \(answer.text)")
                #expect(answer.dataStatus == status, "\(token)")
                #expect(answer.data?["failureCode"]?.stringValue == failureCode, "\(token)")
                #expect(answer.data?["retryable"]?.boolValue == retryable, "\(token)")
                #expect(answer.data?["amount"]?["amountMinor"]?.intValue == 3998, "\(token): the amount is the order's")
                let paymentId = try #require(answer.dataId)
                #expect(answer.header("Location") == "/payments/status/\(paymentId)")
                try await fixture.expectEvents(orderId, events)
                let failed = try await fixture.decode(PaymentFailed.self, orderId)
                #expect(failed.map(\.failureCode) == (failureCode.map { [$0] } ?? []), "\(token)")
                try await checkAftermath(of: token, orderId: orderId, paymentId: paymentId, answer: answer, fixture: fixture, owner: ada)
            }
        }
    }

    @Test func threeDSecureChallenge() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()

            let passOrder = try await fixture.placeOrder(for: ada.userId)
            let started = try await fixture.initiate(passOrder, token: "tok_3ds", as: ada)
            #expect(started.status == 201 && started.dataStatus == "REQUIRES_ACTION")
            let paymentId = try #require(started.dataId)
            #expect(started.data?["nextAction"]?["type"]?.stringValue == "THREE_DS_CHALLENGE")
            #expect(started.data?["nextAction"]?["confirmPath"]?.stringValue == "/payments/\(paymentId)/confirm")
            // Another user's confirm is a 404, a bad result a 400; nothing changes.
            let eve = try await fixture.customer()
            #expect(try await fixture.client.send(.POST, "/payments/\(paymentId)/confirm", json: ["result": "PASS"], bearer: eve.token).status == 404)
            #expect(try await fixture.client.send(.POST, "/payments/\(paymentId)/confirm", json: ["result": "MAYBE"], bearer: ada.token).status == 400)
            let passed = try await fixture.client.send(.POST, "/payments/\(paymentId)/confirm", json: ["result": "PASS"], bearer: ada.token)
            #expect(passed.status == 200 && passed.dataStatus == "CAPTURED")
            #expect(passed.data?["nextAction"] == .null)
            // The same answer again: the payment no longer waits for one.
            #expect(try await fixture.client.send(.POST, "/payments/\(paymentId)/confirm", json: ["result": "PASS"], bearer: ada.token).status == 409)
            try await fixture.expectEvents(passOrder, ["PaymentInitiated", "PaymentRequiresAction", "PaymentSucceeded"])

            let failOrder = try await fixture.placeOrder(for: ada.userId)
            let challenged = try await fixture.initiate(failOrder, token: "tok_3ds", as: ada)
            let failId = try #require(challenged.dataId)
            let failed = try await fixture.client.send(.POST, "/payments/\(failId)/confirm", json: ["result": "FAIL"], bearer: ada.token)
            #expect(failed.status == 200 && failed.dataStatus == "FAILED")
            #expect(failed.data?["failureCode"]?.stringValue == "AUTHENTICATION_FAILED" && failed.data?["retryable"]?.boolValue == true)
            try await fixture.expectEvents(failOrder, ["PaymentInitiated", "PaymentRequiresAction", "PaymentFailed"])
        }
    }

    /// `tok_delayed_success` is captured by the reconciler's poll; `tok_timeout` never answers and stays
    /// `INITIATED` through the same polls, until the saga voids it.
    @Test func asynchronousTokens() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()

            let timeoutOrder = try await fixture.placeOrder(for: ada.userId)
            let timedOut = try await fixture.initiate(timeoutOrder, token: "tok_timeout", as: ada)
            #expect(timedOut.status == 201 && timedOut.dataStatus == "INITIATED")
            let timeoutId = try #require(timedOut.dataId)

            let delayedOrder = try await fixture.placeOrder(for: ada.userId)
            let delayed = try await fixture.initiate(delayedOrder, token: "tok_delayed_success", as: ada)
            #expect(delayed.status == 201 && delayed.dataStatus == "INITIATED")
            let delayedId = try #require(delayed.dataId)
            try await fixture.waitForStatus(delayedId, .captured)
            try await fixture.expectEvents(delayedOrder, ["PaymentInitiated", "PaymentSucceeded"])
            let status = try await fixture.payment(delayedId, bearer: ada.token)
            #expect(status.dataStatus == "CAPTURED" && status.data?["capturedAt"]?.stringValue != nil)

            // The delayed capture took several reconciliation passes (every 100 ms for 1 s), and each one
            // polled the timeout payment too: it is still waiting, and nothing but its initiation was published.
            #expect(try await fixture.store.payment(id: timeoutId)?.status == .initiated)
            #expect(try await fixture.paymentEventTypes(timeoutOrder) == ["PaymentInitiated"])

            // C6: the saga gives up and voids it.
            try await fixture.publisher.publish(VoidPayment(orderId: timeoutOrder, paymentId: timeoutId, reason: "PAYMENT_TIMEOUT"))
            try await fixture.waitForStatus(timeoutId, .voided)
            try await fixture.expectEvents(timeoutOrder, ["PaymentInitiated", "PaymentVoided"])
            let voided = try #require(try await fixture.decode(PaymentVoided.self, timeoutOrder).first)
            #expect(voided.reason == "PAYMENT_TIMEOUT" && voided.paymentId == timeoutId)
        }
    }

    /// What a token does beyond its first answer.
    private func checkAftermath(of token: String, orderId: String, paymentId: String, answer: EnvelopeClient.Answer,
                                fixture: PaymentFixture, owner: PaymentFixture.Customer) async throws {
        switch token {
        case "tok_amount_mismatch":
            // C15: the provider took one minor unit more than the order's total; the event says both.
            #expect(answer.data?["captured"]?["amountMinor"]?.intValue == 3999)
            let succeeded = try #require(try await fixture.decode(PaymentSucceeded.self, orderId).first)
            #expect(succeeded.amount.amountMinor == 3998 && succeeded.captured.amountMinor == 3999)
        case "tok_refund_fails":
            // The saga's refunds are declined (PaymentCommandTests); an operator's refund goes through (C13).
            let refund = try await fixture.refund(paymentId, amountMinor: 1000, bearer: try await fixture.adminToken())
            #expect(refund.status == 201)
            #expect(refund.dataStatus == "SUCCEEDED")
            let payment = try await fixture.payment(paymentId, bearer: owner.token)
            #expect(payment.dataStatus == "PARTIALLY_REFUNDED" && payment.data?["refunded"]?["amountMinor"]?.intValue == 1000)
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentSucceeded", "PaymentRefunded"])
        case "tok_success":
            #expect(answer.data?["captured"]?["amountMinor"]?.intValue == 3998)
            #expect(answer.data?["pspReference"]?.stringValue?.hasPrefix("sim_") == true)
        default:
            break
        }
    }
}
