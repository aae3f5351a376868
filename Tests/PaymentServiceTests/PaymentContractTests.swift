import Contracts
import Foundation
import Testing

/// The payment events and commands as the order service will read and write them: topics, keys and
/// the JSON field names of the payloads.
@Suite struct PaymentContractTests {
    static let eur = Money(amountMinor: 3998, currency: .EUR)
    static let at = Date(timeIntervalSince1970: 1_764_100_886.125)  // exact in binary: the text is .125

    static func json<E: DomainEvent>(_ event: E) throws -> [String: Any] {
        let data = try EventCoding.encoder().encode(event)
        #expect(try EventCoding.decoder().decode(E.self, from: data).aggregateId == event.aggregateId)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func eventsAreKeyedByOrderOnThePaymentStream() throws {
        let events: [any DomainEvent] = [
            PaymentInitiated(orderId: "o", paymentId: "p", amount: Self.eur, method: "CARD", initiatedAt: Self.at),
            PaymentRequiresAction(orderId: "o", paymentId: "p", actionType: "THREE_DS_CHALLENGE", confirmPath: "/payments/p/confirm", pspReference: nil),
            PaymentAuthorized(orderId: "o", paymentId: "p", amount: Self.eur, authorizedAt: Self.at),
            PaymentSucceeded(orderId: "o", paymentId: "p", amount: Self.eur, captured: Self.eur, capturedAt: Self.at, pspReference: "sim_p"),
            PaymentFailed(orderId: "o", paymentId: "p", failureCode: "CARD_DECLINED", retryable: true, failedAt: Self.at),
            PaymentVoided(orderId: "o", paymentId: "p", reason: "PAYMENT_TIMEOUT", voidedAt: Self.at),
            PaymentRefunded(orderId: "o", paymentId: "p", refundId: "r", amount: Self.eur, refundedTotal: Self.eur, fullyRefunded: true,
                            refundRequestId: nil, refundedAt: Self.at),
            RefundFailed(orderId: "o", paymentId: "p", refundId: "r", amount: Self.eur, failureCode: "REFUND_DECLINED",
                         refundRequestId: "q", failedAt: Self.at),
        ]
        for event in events {
            #expect(type(of: event).topic == Topics.paymentPayment)
            #expect(type(of: event).aggregateType == "payment")
            #expect(event.aggregateId == "o")
        }
        #expect(Set(events.map { type(of: $0).eventType }).count == events.count)
    }

    @Test func payloadsAreCamelCaseWithMoneyObjects() throws {
        let succeeded = try Self.json(PaymentSucceeded(orderId: "o", paymentId: "p", amount: Self.eur,
                                                       captured: Money(amountMinor: 3999, currency: .EUR), capturedAt: Self.at, pspReference: nil))
        #expect(Set(succeeded.keys).isSuperset(of: ["orderId", "paymentId", "amount", "captured", "capturedAt"]))
        let captured = try #require(succeeded["captured"] as? [String: Any])
        #expect(captured["amountMinor"] as? Int == 3999 && captured["currency"] as? String == "EUR")
        #expect(succeeded["capturedAt"] as? String == "2025-11-25T20:01:26.125Z")

        let refund = try Self.json(RefundPayment(orderId: "o", paymentId: "p", amount: Self.eur, reason: "RETURN", refundRequestId: "q"))
        #expect(Set(refund.keys) == ["orderId", "paymentId", "amount", "reason", "refundRequestId"])
        #expect(RefundPayment.topic == Topics.paymentCommands && VoidPayment.topic == Topics.paymentCommands)
        // refundRequestId is optional: a command without it still decodes.
        let minimal = #"{"orderId":"o","paymentId":"p","amount":{"amountMinor":1,"currency":"EUR"},"reason":"RETURN"}"#
        #expect(try EventCoding.decoder().decode(RefundPayment.self, from: Data(minimal.utf8)).refundRequestId == nil)
        let void = try Self.json(VoidPayment(orderId: "o", paymentId: "p", reason: "PAYMENT_TIMEOUT"))
        #expect(Set(void.keys) == ["orderId", "paymentId", "reason"])
    }
}
