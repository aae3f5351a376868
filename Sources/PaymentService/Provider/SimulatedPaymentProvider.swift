import Contracts
import Foundation
import ServiceKit
import Synchronization

/// The in-process simulated PSP of API.md §6: the outcome is decided by the test token, and it is a pure
/// function of the token, the amount and the time, so a repeated call (same idempotency key) answers the
/// same and a restart of the service loses nothing.
///
/// | token | behaviour |
/// |---|---|
/// | `tok_success` | captures at once |
/// | `tok_declined` / `tok_insufficient_funds` | declines, retryable |
/// | `tok_fraud` | declines, final (`FRAUD_SUSPECTED`) |
/// | `tok_timeout` | never answers a charge or a status poll (the caller's deadline ends the call); voids |
/// | `tok_3ds` | asks for a challenge; `PASS` captures, `FAIL` declines (`AUTHENTICATION_FAILED`, retryable) |
/// | `tok_delayed_success` | pending, captured `delayedSuccess` after initiation |
/// | `tok_refund_fails` | captures at once; every automatic (saga) refund is declined (`REFUND_DECLINED`); an operator's refund succeeds |
/// | `tok_amount_mismatch` | captures the amount plus one minor unit |
public final class SimulatedPaymentProvider: PaymentProvider {
    public enum Token: String, Sendable, CaseIterable {
        case success = "tok_success"
        case declined = "tok_declined"
        case insufficientFunds = "tok_insufficient_funds"
        case fraud = "tok_fraud"
        case timeout = "tok_timeout"
        case threeDS = "tok_3ds"
        case delayedSuccess = "tok_delayed_success"
        case refundFails = "tok_refund_fails"
        case amountMismatch = "tok_amount_mismatch"
    }

    public let name = "SIMULATED"
    let delayedSuccess: TimeInterval
    let clock: ServiceClock
    /// Charge calls per idempotency key, for tests that check the key was passed on and honoured.
    private let chargeCalls = Mutex<[String: Int]>([:])

    public init(delayedSuccess: TimeInterval, clock: ServiceClock = .system) {
        self.delayedSuccess = delayedSuccess
        self.clock = clock
    }

    public func accepts(token: String) -> Bool { Token(rawValue: token) != nil }

    /// How many `charge` calls carried `idempotencyKey`.
    public func chargeCallCount(idempotencyKey: String) -> Int {
        chargeCalls.withLock { $0[idempotencyKey] ?? 0 }
    }

    public func charge(_ charge: ProviderCharge) async throws -> ProviderChargeResult {
        chargeCalls.withLock { $0[charge.idempotencyKey, default: 0] += 1 }
        return try await decide(charge)
    }

    public func retrieve(_ charge: ProviderCharge) async throws -> ProviderChargeResult {
        try await decide(charge)
    }

    public func confirm(_ charge: ProviderCharge, result: ChallengeResult) async throws -> ProviderChargeResult {
        guard try token(charge) == .threeDS else { return try await decide(charge) }
        switch result {
        case .pass: return .captured(amount: charge.amount, reference: Self.reference(charge))
        case .fail: return .declined(code: "AUTHENTICATION_FAILED", retryable: true, reference: Self.reference(charge))
        }
    }

    public func void(_ charge: ProviderCharge) async throws -> ProviderVoidResult {
        switch try token(charge) {
        case .timeout, .threeDS, .declined, .insufficientFunds, .fraud:
            return .voided
        case .delayedSuccess:
            if case .captured(let amount, let reference) = try await decide(charge) {
                return .alreadyCaptured(amount: amount, reference: reference)
            }
            return .voided
        case .success, .refundFails, .amountMismatch:
            guard case .captured(let amount, let reference) = try await decide(charge) else { return .voided }
            return .alreadyCaptured(amount: amount, reference: reference)
        }
    }

    public func refund(_ refund: ProviderRefund) async throws -> ProviderRefundResult {
        // API.md C13: the saga's refunds keep failing until an operator refunds by hand (§4.3: "an admin
        // refund closes it"), which this provider models as a refund that goes through.
        if try token(refund.charge) == .refundFails, refund.source == .saga { return .declined(code: "REFUND_DECLINED") }
        return .succeeded(reference: "sim_refund_" + refund.idempotencyKey)
    }

    // MARK: Decisions

    private func decide(_ charge: ProviderCharge) async throws -> ProviderChargeResult {
        let reference = Self.reference(charge)
        switch try token(charge) {
        case .success, .refundFails:
            return .captured(amount: charge.amount, reference: reference)
        case .amountMismatch:
            let (more, overflow) = charge.amount.amountMinor.addingReportingOverflow(1)
            return .captured(amount: Money(amountMinor: overflow ? charge.amount.amountMinor : more, currency: charge.amount.currency),
                             reference: reference)
        case .declined:
            return .declined(code: "CARD_DECLINED", retryable: true, reference: reference)
        case .insufficientFunds:
            return .declined(code: "INSUFFICIENT_FUNDS", retryable: true, reference: reference)
        case .fraud:
            return .declined(code: "FRAUD_SUSPECTED", retryable: false, reference: reference)
        case .timeout:
            // Never answers: only the caller's deadline (or shutdown) ends the wait.
            while true { try await Task.sleep(for: .seconds(3600)) }
        case .threeDS:
            return .requiresAction(reference: reference)
        case .delayedSuccess:
            if clock.now() >= charge.initiatedAt.addingTimeInterval(delayedSuccess) {
                return .captured(amount: charge.amount, reference: reference)
            }
            return .pending(reference: reference)
        }
    }

    private func token(_ charge: ProviderCharge) throws -> Token {
        guard let token = Token(rawValue: charge.paymentToken) else {
            throw PaymentError.providerFailure("the simulated provider does not know the token \(charge.paymentToken)")
        }
        return token
    }

    /// One reference per charge, the same on every call.
    static func reference(_ charge: ProviderCharge) -> String {
        "sim_" + charge.paymentId.replacingOccurrences(of: "-", with: "")
    }
}
