import Contracts
import Foundation
import ServiceKit

/// `POST /payments/initiate`. Any other field (an `amount`, a `userId`) is ignored: the amount is the order's.
struct InitiatePaymentRequest: Codable, Sendable, ValidatedBody {
    var orderId: String
    var method: String
    var paymentToken: String

    static let example = InitiatePaymentRequest(orderId: "0193a0f2-5b1e-7c3d-9a41-2f6e8d1c0b7a", method: "CARD", paymentToken: "tok_success")

    /// The tokens are the simulated provider's (API.md §6), the only provider there is.
    static let rules: [FieldRule<Self>] = [
        .text("orderId", \.orderId, length: 1...64),
        .oneOf("method", \.method, PaymentMethod.allCases.map(\.rawValue)),
        .oneOf("paymentToken", \.paymentToken, SimulatedPaymentProvider.Token.allCases.map(\.rawValue)),
    ]

    /// What the configured provider itself refuses, beyond the declared rules.
    func problems(accepts: (String) -> Bool) -> [FieldError] {
        var check = Validator()
        check.require(accepts(paymentToken), "paymentToken", "must be one of the test tokens (\(SimulatedPaymentProvider.Token.allCases.map(\.rawValue).joined(separator: ", ")))")
        return check.errors
    }
}

/// `POST /payments/{id}/confirm`: the simulated 3-D Secure outcome.
struct ConfirmPaymentRequest: Codable, Sendable, ValidatedBody {
    var result: String

    static let example = ConfirmPaymentRequest(result: "PASS")

    static let rules: [FieldRule<Self>] = [.oneOf("result", \.result, ChallengeResult.allCases.map(\.rawValue))]
}

/// `POST /payments/{id}/refunds` (admin): an amount in the payment's currency.
struct RefundRequest: Codable, Sendable, ValidatedBody {
    var amountMinor: Int64
    var reason: String?

    static let example = RefundRequest(amountMinor: 1999, reason: "Damaged on arrival")

    static let rules: [FieldRule<Self>] = [
        .integer("amountMinor", \.amountMinor, 1...Int64.max),
        .text("reason", \.reason, length: 0...500),
    ]
}

struct NextActionDTO: Codable, Sendable {
    var type: String
    var confirmPath: String
}

struct RefundDTO: Codable, Sendable {
    var id: String
    var paymentId: String
    var amount: Money
    var status: String
    var reason: String?
    var failureCode: String?
    var createdAt: Date

    init(_ refund: Refund) {
        id = refund.id
        paymentId = refund.paymentId
        amount = refund.amount
        status = refund.status.rawValue
        reason = refund.reason
        failureCode = refund.failureCode
        createdAt = refund.createdAt
    }

    static let example = RefundDTO(Refund(
        id: "0193a0f4-1111-7abc-8def-0123456789ab", paymentId: "0193a0f3-2222-7abc-8def-0123456789ab",
        orderId: "0193a0f2-5b1e-7c3d-9a41-2f6e8d1c0b7a", amount: Money(amountMinor: 1999, currency: .EUR), status: .succeeded,
        reason: nil, failureCode: nil, source: .admin, requestKey: nil,
        createdAt: Date(timeIntervalSince1970: 1_764_100_886.123), updatedAt: Date(timeIntervalSince1970: 1_764_100_886.123)))
}

/// API.md §6's Payment. Optional members are always present (`null` when unset).
struct PaymentDTO: Encodable, Sendable {
    var id: String
    var orderId: String
    var status: String
    var method: String
    var amount: Money
    var captured: Money?
    var refunded: Money
    var pspReference: String?
    var failureCode: String?
    var retryable: Bool?
    var nextAction: NextActionDTO?
    var refunds: [RefundDTO]
    var capturedAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ payment: Payment, refunds: [Refund]) {
        id = payment.id
        orderId = payment.orderId
        status = payment.status.rawValue
        method = payment.method.rawValue
        amount = payment.amount
        captured = payment.captured
        refunded = payment.refunded
        pspReference = payment.pspReference
        failureCode = payment.failureCode
        retryable = payment.retryable
        nextAction = payment.nextAction.map { NextActionDTO(type: $0.type, confirmPath: $0.confirmPath) }
        self.refunds = refunds.map(RefundDTO.init)
        capturedAt = payment.capturedAt
        createdAt = payment.createdAt
        updatedAt = payment.updatedAt
        version = payment.version
    }

    enum CodingKeys: String, CodingKey {
        case id, orderId, status, method, amount, captured, refunded, pspReference, failureCode, retryable, nextAction, refunds,
             capturedAt, createdAt, updatedAt, version
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(status, forKey: .status)
        try container.encode(method, forKey: .method)
        try container.encode(amount, forKey: .amount)
        try container.encode(captured, forKey: .captured)
        try container.encode(refunded, forKey: .refunded)
        try container.encode(pspReference, forKey: .pspReference)
        try container.encode(failureCode, forKey: .failureCode)
        try container.encode(retryable, forKey: .retryable)
        try container.encode(nextAction, forKey: .nextAction)
        try container.encode(refunds, forKey: .refunds)
        try container.encode(capturedAt, forKey: .capturedAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }

    /// An open payment: every member that may be null is null here, so the schema derived from the
    /// example does not pin them to one type.
    static let example: PaymentDTO = {
        let at = Date(timeIntervalSince1970: 1_764_100_886.123)
        return PaymentDTO(Payment(
            id: "0193a0f3-2222-7abc-8def-0123456789ab", orderId: "0193a0f2-5b1e-7c3d-9a41-2f6e8d1c0b7a", userId: "",
            status: .initiated, method: .card, amount: Money(amountMinor: 3998, currency: .EUR), captured: nil, refunded: .zero(.EUR),
            pspReference: nil, paymentToken: "tok_delayed_success", idempotencyKey: "", failureCode: nil, retryable: nil,
            voidReason: nil, capturedAt: nil, createdAt: at, updatedAt: at, version: 1), refunds: [])
    }()
}
