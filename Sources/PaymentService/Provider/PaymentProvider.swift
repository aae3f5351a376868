import Contracts
import Foundation

/// The payment service's view of a payment service provider (PSP): the few calls the service makes,
/// in its own terms, so that a real provider's adapter can replace `SimulatedPaymentProvider`.
///
/// Every call may be repeated: the provider deduplicates charges by `ProviderCharge.idempotencyKey` and
/// refunds by `ProviderRefund.idempotencyKey`, and a repeated call answers the current state. The service
/// bounds each call with `PSP_CALL_TIMEOUT_MS`; a call that does not answer in time leaves the payment as
/// it is, for the reconciler to ask again.
public protocol PaymentProvider: Sendable {
    /// Stored with each payment (`psp`).
    var name: String { get }
    /// Whether `token` is one this provider can charge; others are refused with 400 before anything is stored.
    func accepts(token: String) -> Bool
    /// Starts (or, with the same key, looks up) the charge and captures at once when it can.
    func charge(_ charge: ProviderCharge) async throws -> ProviderChargeResult
    /// The charge's current state (reconciliation polls of pending payments).
    func retrieve(_ charge: ProviderCharge) async throws -> ProviderChargeResult
    /// The customer's answer to a 3-D Secure challenge.
    func confirm(_ charge: ProviderCharge, result: ChallengeResult) async throws -> ProviderChargeResult
    /// Cancels a charge that has not captured; one that has is reported as captured instead.
    func void(_ charge: ProviderCharge) async throws -> ProviderVoidResult
    func refund(_ refund: ProviderRefund) async throws -> ProviderRefundResult
}

/// A charge as the provider is told about it.
public struct ProviderCharge: Sendable, Equatable {
    public var paymentId: String
    public var orderId: String
    /// Our idempotency key, passed on: the same key never charges twice.
    public var idempotencyKey: String
    public var amount: Money
    public var paymentToken: String
    /// When we created the payment (the simulator's delayed capture counts from here).
    public var initiatedAt: Date

    public init(_ payment: Payment) {
        paymentId = payment.id
        orderId = payment.orderId
        idempotencyKey = payment.providerIdempotencyKey
        amount = payment.amount
        paymentToken = payment.paymentToken
        initiatedAt = payment.createdAt
    }
}

/// The provider's answer about a charge.
public enum ProviderChargeResult: Sendable, Equatable {
    case captured(amount: Money, reference: String)
    case requiresAction(reference: String)
    case declined(code: String, retryable: Bool, reference: String)
    /// Accepted, no decision yet (asynchronous capture).
    case pending(reference: String)
}

/// The simulated 3-D Secure outcome the client reports.
public enum ChallengeResult: String, Sendable, Codable, CaseIterable {
    case pass = "PASS"
    case fail = "FAIL"
}

public enum ProviderVoidResult: Sendable, Equatable {
    case voided
    /// Too late: the charge had captured.
    case alreadyCaptured(amount: Money, reference: String)
}

public struct ProviderRefund: Sendable, Equatable {
    public var refundId: String
    /// The refund's id: a repeated call refunds once.
    public var idempotencyKey: String
    public var charge: ProviderCharge
    public var amount: Money
    /// Who asked: the saga's automatic refund, or an operator's (`POST /payments/{id}/refunds`).
    public var source: RefundSource

    public init(refund: Refund, payment: Payment) {
        refundId = refund.id
        idempotencyKey = refund.id
        charge = ProviderCharge(payment)
        amount = refund.amount
        source = refund.source
    }
}

public enum ProviderRefundResult: Sendable, Equatable {
    case succeeded(reference: String)
    case declined(code: String)
}
