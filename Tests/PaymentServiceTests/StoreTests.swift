import Contracts
import Foundation
import GRDB
@testable import PaymentService
import ServiceKit
import Testing

/// The store's guards against a real SQLite file, without HTTP or a broker.
@Suite struct StoreTests {
    static func store() throws -> PaymentStore {
        try PaymentStore.open(path: NSTemporaryDirectory() + "payment-store-" + UUID().uuidString + "/payment.sqlite")
    }

    static func order(_ store: PaymentStore, totalMinor: Int64 = 3998) async throws -> PayableOrder {
        let order = PayableOrder(orderId: UUID().uuidString.lowercased(), userId: "user-1",
                                 total: Money(amountMinor: totalMinor, currency: .EUR), status: PayableOrder.awaitingPayment,
                                 paymentDueBy: nil)
        try await store.database.write { db in
            try PaymentStore.applyOrderAwaitingPayment(
                OrderAwaitingPayment(orderId: order.orderId, userId: order.userId, total: order.total, paymentDueBy: Date()),
                now: Date(), in: db)
        }
        return order
    }

    static func newPayment(_ order: PayableOrder, key: String = UUID().uuidString) -> NewPayment {
        NewPayment(id: EventID.make(), order: order, method: .card, paymentToken: "tok_success", idempotencyKey: key, psp: "SIMULATED")
    }

    static func outboxTypes(_ store: PaymentStore) async throws -> [String] {
        try await store.database.read { db in try String.fetchAll(db, sql: "SELECT event_type FROM outbox ORDER BY rowid") }
    }

    @Test func aProviderAnswerSeenTwiceChangesNothing() async throws {
        let store = try Self.store()
        let order = try await Self.order(store)
        guard case .created(let payment) = try await store.createPayment(Self.newPayment(order), now: Date(), metadata: EventMetadata()) else {
            Issue.record("expected a new payment")
            return
        }
        let answer = ProviderChargeResult.captured(amount: order.total, reference: "sim_1")
        let first = try await store.applyCharge(answer, paymentId: payment.id, now: Date(), metadata: EventMetadata())
        let second = try await store.applyCharge(answer, paymentId: payment.id, now: Date(), metadata: EventMetadata())
        let late = try await store.applyCharge(.declined(code: "CARD_DECLINED", retryable: true, reference: "sim_1"), paymentId: payment.id,
                                               now: Date(), metadata: EventMetadata())
        #expect(first.status == .captured && first.version == 2)
        #expect(second.version == 2 && second.status == .captured && late.version == 2 && late.status == .captured)
        #expect(try await Self.outboxTypes(store) == ["PaymentInitiated", "PaymentSucceeded"])
    }

    @Test func atMostOneOpenPaymentPerOrder() async throws {
        let store = try Self.store()
        let order = try await Self.order(store)
        _ = try await store.createPayment(Self.newPayment(order), now: Date(), metadata: EventMetadata())
        await #expect(throws: PaymentError.self) {
            _ = try await store.createPayment(Self.newPayment(order), now: Date(), metadata: EventMetadata())
        }
        // The partial unique index is the last guard, below the store's own check.
        await #expect(throws: DatabaseError.self) {
            try await store.database.write { db in
                try db.execute(sql: """
                    INSERT INTO payment (id, order_id, user_id, status, method, amount_minor, currency, psp, payment_token,
                        idempotency_key, created_at, updated_at)
                    VALUES (?, ?, 'user-1', 'REQUIRES_ACTION', 'CARD', 1, 'EUR', 'SIMULATED', 'tok_3ds', 'other', ?, ?)
                    """, arguments: [EventID.make(), order.orderId, Date(), Date()])
            }
        }
        // The same key resumes the payment it created.
        let again = try await store.payments(orderId: order.orderId)
        #expect(again.count == 1)
        guard case .resumed(let resumed) = try await store.createPayment(
            Self.newPayment(order, key: again[0].idempotencyKey), now: Date(), metadata: EventMetadata()) else {
            Issue.record("expected the existing payment")
            return
        }
        #expect(resumed.id == again[0].id)
    }

    @Test func refundsNeverPassTheCapture() async throws {
        let store = try Self.store()
        let order = try await Self.order(store, totalMinor: 1000)
        guard case .created(let payment) = try await store.createPayment(Self.newPayment(order), now: Date(), metadata: EventMetadata()) else {
            Issue.record("expected a new payment")
            return
        }
        _ = try await store.applyCharge(.captured(amount: order.total, reference: "sim"), paymentId: payment.id, now: Date(),
                                        metadata: EventMetadata())
        func refund(_ minor: Int64) -> NewRefund {
            NewRefund(id: EventID.make(), paymentId: payment.id, amount: Money(amountMinor: minor, currency: .EUR), reason: nil,
                      source: .admin, requestKey: nil)
        }
        // A pending refund already counts against what is refundable.
        guard case .created(let pending, _) = try await store.createRefund(refund(600), now: Date()) else {
            Issue.record("expected a refund")
            return
        }
        await #expect(throws: PaymentError.self) { _ = try await store.createRefund(refund(401), now: Date()) }
        _ = try await store.completeRefund(id: pending.id, result: .succeeded(reference: "r"), now: Date(), metadata: EventMetadata())
        guard case .created(let rest, _) = try await store.createRefund(refund(400), now: Date()) else {
            Issue.record("expected a refund")
            return
        }
        let (_, after) = try await store.completeRefund(id: rest.id, result: .succeeded(reference: "r"), now: Date(), metadata: EventMetadata())
        #expect(after.status == .refunded && after.refunded.amountMinor == 1000)
        // The CHECK constraint refuses a refunded amount above the capture, whatever the code does.
        await #expect(throws: DatabaseError.self) {
            try await store.database.write { db in
                try db.execute(sql: "UPDATE payment SET refunded_minor = 1001 WHERE id = ?", arguments: [payment.id])
            }
        }
    }

    @Test func theReconcilerAsksTheLongestUnaskedFirst() async throws {
        let store = try Self.store()
        var ids: [String] = []
        for offset in 0..<3 {
            let order = try await Self.order(store)
            guard case .created(let payment) = try await store.createPayment(
                Self.newPayment(order), now: Date().addingTimeInterval(Double(offset)), metadata: EventMetadata()) else {
                Issue.record("expected a new payment")
                return
            }
            ids.append(payment.id)
        }
        var asked: [String] = []
        for round in 0..<3 {
            let next = try await store.paymentsToReconcile(limit: 1)
            asked += next.map(\.id)
            try await store.markPolled(next.map(\.id), at: Date().addingTimeInterval(Double(10 + round)))
        }
        // Payments that never answer would otherwise hold the first places for ever.
        #expect(asked == ids)
    }

    @Test func simulatedProviderIsDeterministic() async throws {
        let provider = SimulatedPaymentProvider(delayedSuccess: 60)
        let payment = Payment(id: "p1", orderId: "o1", userId: "u", status: .initiated, method: .card,
                              amount: Money(amountMinor: 500, currency: .EUR), captured: nil, refunded: .zero(.EUR), pspReference: nil,
                              paymentToken: "tok_delayed_success", idempotencyKey: "k", failureCode: nil, retryable: nil,
                              voidReason: nil, capturedAt: nil, createdAt: Date(), updatedAt: Date(), version: 1)
        #expect(try await provider.charge(ProviderCharge(payment)) == .pending(reference: "sim_p1"))
        #expect(try await provider.void(ProviderCharge(payment)) == .voided)
        var old = payment
        old.createdAt = Date().addingTimeInterval(-120)
        #expect(try await provider.retrieve(ProviderCharge(old)) == .captured(amount: payment.amount, reference: "sim_p1"))
        #expect(try await provider.void(ProviderCharge(old)) == .alreadyCaptured(amount: payment.amount, reference: "sim_p1"))
        #expect(provider.chargeCallCount(idempotencyKey: "o1:k") == 1)
        #expect(!provider.accepts(token: "4111111111111111") && provider.accepts(token: "tok_3ds"))
        // tok_timeout never answers: the deadline ends the call.
        var never = payment
        never.paymentToken = "tok_timeout"
        let hanging = never
        let deadline = ProviderDeadline(timeout: .milliseconds(50))
        await #expect(throws: PaymentError.self) {
            _ = try await deadline.run("charge") { try await provider.charge(ProviderCharge(hanging)) }
        }
    }
}
