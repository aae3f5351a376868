import Contracts
import Foundation
import Hummingbird
import HTTPTypes
import ServiceKit

/// The payment service's HTTP API (API.md §6): the route table, then one handler per route. Domain errors
/// are thrown as they are; `PaymentError.apiError` decides what the client sees.
struct PaymentRoutes: Sendable {
    let payments: Payments
    let idempotency: Idempotency
    let verifier: JWTVerifier
    let provider: any PaymentProvider

    func register(on app: ServiceApp) {
        let user = AuthMiddleware(verifier: verifier)
        let admin = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)

        app.route(.post, "/payments/initiate", doc: OperationDoc(
            "Pay an order awaiting payment (header Idempotency-Key required); the amount is the order's total. 503 when payment's projection does not show the order payable yet and the order service cannot be asked", tag: "payments",
            requiresAuth: true, request: InitiatePaymentRequest.example, response: PaymentDTO.example, successStatus: 201,
            errors: [400, 403, 404, 409, 422, 503], headers: [IdempotencyKey.documented(required: true)]), middleware: [user], initiate)
        app.route(.get, "/payments/status/:txnId", doc: OperationDoc(
            "One payment (owner or admin)", tag: "payments", requiresAuth: true, response: PaymentDTO.example, errors: [403, 404]),
            middleware: [user], status)
        app.route(.get, "/payments", doc: OperationDoc(
            "The payments of one order, oldest first (owner or admin); 503 when the order has no payment, is not in payment's projection and the order service cannot be asked", tag: "payments", requiresAuth: true,
            response: [PaymentDTO.example], errors: [400, 403, 404, 503], query: [.string("orderId", "the order", required: true)]),
            middleware: [user], listByOrder)
        app.route(.post, "/payments/:id/confirm", doc: OperationDoc(
            "Answer a 3-D Secure challenge (simulated: PASS or FAIL)", tag: "payments", requiresAuth: true,
            request: ConfirmPaymentRequest.example, response: PaymentDTO.example, errors: [400, 403, 404, 409]),
            middleware: [user], confirm)
        app.route(.post, "/payments/:id/refunds", doc: OperationDoc(
            "Refund part or all of a captured payment (admin; optional header Idempotency-Key)", tag: "payments",
            requiresAuth: true, request: RefundRequest.example, response: RefundDTO.example, successStatus: 201,
            errors: [400, 404, 409, 422], headers: [IdempotencyKey.documented(required: false)]), middleware: [admin], refund)
    }

    // MARK: Handlers

    @Sendable func initiate(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let claim: IdempotencyClaim
        switch try await idempotency.begin(request: request, context: context, required: true) {
        case .replay(let answer): return answer.response
        case .proceed(let proceed): claim = proceed
        }
        do {
            let provider = provider
            let body = try claim.decode(InitiatePaymentRequest.self) { $0.problems { provider.accepts(token: $0) } }
            guard let key = claim.key, let method = PaymentMethod(rawValue: body.method) else { throw APIError.internalError }
            let idempotency = idempotency
            let answer = try await payments.initiate(
                Payments.Initiation(orderId: body.orderId, method: method, paymentToken: body.paymentToken, idempotencyKey: key),
                caller: caller, metadata: Self.metadata(request, context)
            ) { payment, db in
                let created = EnvelopeResponse(PaymentDTO(payment, refunds: try PaymentStore.fetchRefunds(db, paymentId: payment.id)),
                                               status: .created, headers: [.location: "/payments/status/\(payment.id)"])
                return try idempotency.complete(claim, with: created, in: db)
            }
            return answer.response
        } catch {
            await idempotency.release(claim)
            throw error
        }
    }

    @Sendable func status(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<PaymentDTO> {
        let caller = try context.requireUser()
        let payment = try await payments.ownedPayment(id: try context.parameters.require("txnId"), caller: caller)
        return EnvelopeResponse(PaymentDTO(payment, refunds: try await payments.store.refunds(paymentId: payment.id)))
    }

    @Sendable func listByOrder(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[PaymentDTO]> {
        let caller = try context.requireUser()
        var check = Validator()
        let orderId = request.uri.queryParameters.get("orderId") ?? ""
        check.require(!orderId.isEmpty, "orderId", "is required")
        try check.finish()
        let found = try await payments.payments(orderId: orderId, caller: caller)
        let refunds = try await payments.store.refunds(paymentIds: found.map(\.id))
        return EnvelopeResponse(found.map { PaymentDTO($0, refunds: refunds[$0.id] ?? []) })
    }

    @Sendable func confirm(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<PaymentDTO> {
        let caller = try context.requireUser()
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(ConfirmPaymentRequest.self, context: context)
        guard let result = ChallengeResult(rawValue: body.result) else { throw APIError.internalError }
        let payment = try await payments.confirm(paymentId: id, result: result, caller: caller, metadata: Self.metadata(request, context))
        return EnvelopeResponse(PaymentDTO(payment, refunds: try await payments.store.refunds(paymentId: payment.id)))
    }

    @Sendable func refund(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let claim: IdempotencyClaim
        switch try await idempotency.begin(request: request, context: context, required: false) {
        case .replay(let answer): return answer.response
        case .proceed(let proceed): claim = proceed
        }
        do {
            let body = try claim.decode(RefundRequest.self)
            let idempotency = idempotency
            let answer = try await payments.refund(paymentId: id, amountMinor: body.amountMinor, reason: body.reason,
                                                   metadata: Self.metadata(request, context)) { refund, payment, db in
                try idempotency.complete(claim, with: EnvelopeResponse(RefundDTO(refund), status: .created,
                                                                      headers: [.location: "/payments/status/\(payment.id)"]), in: db)
            }
            return answer.response
        } catch {
            await idempotency.release(claim)
            throw error
        }
    }

    // MARK: Helpers

    /// Envelope metadata of events a request causes: the request id is their cause, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}
