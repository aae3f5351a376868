import Foundation
import NIOHTTP1
@testable import PaymentService
import ServiceKit
import ShopTestSupport
import Testing

/// `POST /payments/initiate` and API.md §1.7: one key, one payment, one charge at the provider.
@Suite struct IdempotencyTests {
    @Test func twentyConcurrentRequestsWithOneKeyMakeOnePayment() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let orderId = try await fixture.placeOrder(for: ada.userId)
            let key = "pay-" + UUID().uuidString
            let answers = try await withThrowingTaskGroup(of: EnvelopeClient.Answer.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await fixture.initiate(orderId, token: "tok_success", as: ada, key: key) }
                }
                return try await group.reduce(into: [EnvelopeClient.Answer]()) { $0.append($1) }
            }
            let created = answers.filter { $0.status == 201 }
            #expect(!created.isEmpty)
            #expect(answers.allSatisfy { $0.status == 201 || $0.status == 409 }, "\(answers.map(\.status))")
            #expect(Set(created.compactMap(\.dataId)).count == 1)
            for conflict in answers where conflict.status == 409 {
                #expect(conflict.header("Retry-After") == "1")
            }
            let listed = try await fixture.client.get("/payments?orderId=\(orderId)", bearer: ada.token)
            #expect(listed.data?.arrayValue?.count == 1)
            #expect(fixture.provider.chargeCallCount(idempotencyKey: "\(orderId):\(key)") == 1)

            // Once completed, the key replays the stored answer byte for byte.
            let first = try #require(created.first)
            let replay = try await fixture.initiate(orderId, token: "tok_success", as: ada, key: key)
            #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true")
            #expect(replay.text == first.text || created.contains { $0.text == replay.text })
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentSucceeded"])
        }
    }

    @Test func keyRules() async throws {
        try await PaymentFixture.with { fixture in
            let ada = try await fixture.customer()
            let orderId = try await fixture.placeOrder(for: ada.userId)
            let body: JSONValue = ["orderId": .string(orderId), "method": "CARD", "paymentToken": "tok_declined"]

            let missing = try await fixture.client.send(.POST, "/payments/initiate", json: body, bearer: ada.token)
            #expect(missing.status == 400 && missing.errorFields == ["Idempotency-Key"])

            let first = try await fixture.initiate(orderId, token: "tok_declined", as: ada, key: "k-1")
            #expect(first.status == 201 && first.dataStatus == "FAILED")
            // The same key with another body is refused; with the same body it replays.
            let other = try await fixture.initiate(orderId, token: "tok_success", as: ada, key: "k-1")
            #expect(other.status == 422 && other.errorFields == ["Idempotency-Key"])
            let again = try await fixture.initiate(orderId, token: "tok_declined", as: ada, key: "k-1")
            #expect(again.status == 201 && again.dataId == first.dataId && again.header("Idempotent-Replayed") == "true")

            // Keys are per caller: another user's identical key is a new request (and that order is not theirs).
            let eve = try await fixture.customer()
            #expect(try await fixture.initiate(orderId, token: "tok_declined", as: eve, key: "k-1").status == 404)

            // A 4xx answer stores nothing: the key is free for the corrected request.
            let badToken = try await fixture.client.send(.POST, "/payments/initiate",
                                                         json: ["orderId": .string(orderId), "method": "CARD", "paymentToken": "tok_nope"],
                                                         bearer: ada.token, headers: [("Idempotency-Key", "k-2")])
            #expect(badToken.status == 400 && badToken.errorFields == ["paymentToken"])
            let fixed = try await fixture.initiate(orderId, token: "tok_success", as: ada, key: "k-2")
            #expect(fixed.status == 201 && fixed.dataStatus == "CAPTURED")
            try await fixture.expectEvents(orderId, ["PaymentInitiated", "PaymentFailed", "PaymentInitiated", "PaymentSucceeded"])
        }
    }
}
