import Contracts
import Foundation
import Hummingbird
import HTTPTypes
import ServiceKit

/// The order API (API.md §4.2) on top of `Orders`: the route table, then one handler per route. Domain
/// errors are thrown as they are; `OrderError.apiError` decides what the client sees.
struct OrderRoutes: Sendable {
    let orders: Orders
    let idempotency: Idempotency
    let verifier: JWTVerifier
    /// Finds an address in the caller's book: the projection, then the customer service (read-through).
    let findAddress: @Sendable (_ userId: String, _ addressId: String) async throws -> AddressSnapshot?

    static let readScope = "order.read"
    static let maximumReasonLength = 500

    func register(on app: ServiceApp) {
        let authenticated = AuthMiddleware(verifier: verifier)
        let admin = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)

        app.route(.post, "/orders", doc: OperationDoc(
            "Place an order from the cart (header Idempotency-Key required): prices from the catalog, the cart emptied, the checkout saga started",
            tag: "orders", requiresAuth: true, request: PlaceOrderRequest.example, response: OrderDTO.example, successStatus: 201,
            errors: [400, 403, 409, 422, 503], headers: [IdempotencyKey.documented(required: true)]), middleware: [authenticated], place)
        app.route(.get, "/orders/me", doc: OperationDoc(
            "The caller's orders, newest first", tag: "orders", requiresAuth: true, response: OrderPageDTO.example, errors: [400],
            query: [Self.statusQueryDoc] + Self.pageQueryDocs), middleware: [authenticated], myOrders)
        app.route(.get, "/orders", doc: OperationDoc(
            "Every order, newest first (admin)", tag: "orders", requiresAuth: true, response: OrderPageDTO.example, errors: [400, 403],
            query: [Self.statusQueryDoc, .uuid("userId", "one user's orders"),
                    .oneOf("stuck", ["true", "false"], "true: only orders an operator must look at")] + Self.pageQueryDocs),
            middleware: [admin], allOrders)
        app.route(.get, "/orders/:id", doc: OperationDoc(
            "One order with its status history (its owner, an admin, or svc:order.read)", tag: "orders", requiresAuth: true,
            response: OrderDTO.example, errors: [403, 404]), middleware: [authenticated], order)
        app.route(.post, "/orders/:id/cancel", doc: OperationDoc(
            "Cancel an order before dispatch (its owner): 202 CANCELLATION_PENDING, 200 when already cancelling or cancelled; 409 while a payment is in flight or after dispatch",
            tag: "orders", requiresAuth: true, request: CancelOrderRequest.example, response: OrderDTO.example, successStatus: 202,
            errors: [200, 404, 409]), middleware: [authenticated], cancel)
        app.route(.post, "/orders/:id/return", doc: OperationDoc(
            "Ask to return a delivered order within the return window (its owner)", tag: "orders", requiresAuth: true,
            request: ReturnOrderRequest.example, response: OrderDTO.example, successStatus: 202, errors: [404, 409]),
            middleware: [authenticated], requestReturn)
        app.route(.post, "/orders/:id/return/receive", doc: OperationDoc(
            "Record that the returned goods arrived (admin): stock back, full refund", tag: "orders", requiresAuth: true,
            response: OrderDTO.example, successStatus: 202, errors: [403, 404, 409]), middleware: [admin], receiveReturn)
        app.route(.post, "/orders/:id/redrive", doc: OperationDoc(
            "Clear a stuck order's flag after fixing the cause (admin): the saga sends again what the order still waits for",
            tag: "orders", requiresAuth: true, response: OrderDTO.example, successStatus: 202, errors: [200, 403, 404]),
            middleware: [admin], redrive)
    }

    static let pageQueryDocs: [OperationDoc.QueryParameter] = [
        .integer("limit", 1...100, "page size, default 20"),
        .string("cursor", "nextCursor of the previous page, with the same filters", length: 1...Int(Int32.max)),
    ]
    static let statusQueryDoc = OperationDoc.QueryParameter.list("status", of: OrderStatus.allCases.map(\.rawValue), "comma-separated statuses")

    // MARK: Handlers

    @Sendable func place(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let claim: IdempotencyClaim
        switch try await idempotency.begin(request: request, context: context, required: true) {
        case .replay(let answer): return answer.response
        case .proceed(let proceed): claim = proceed
        }
        do {
            let body = try claim.decode(PlaceOrderRequest.self)
            guard let key = claim.key else { throw APIError.internalError }
            let shipping = try await address(body.shippingAddressId, field: "shippingAddressId", userId: caller.subject)
            var billing = shipping
            if let billingId = body.billingAddressId {
                billing = try await address(billingId, field: "billingAddressId", userId: caller.subject)
            }
            let placement = Orders.Placement(userId: caller.subject, idempotencyKey: key, shippingAddress: shipping,
                                             billingAddress: billing, email: caller.email)
            let orders = orders
            let idempotency = idempotency
            let metadata = Self.metadata(request, context)
            return try await orders.store.database.write { db in
                let order = try orders.place(placement, metadata: metadata, db)
                let created = EnvelopeResponse(OrderDTO(order), status: .created, message: "Order placed",
                                               headers: [.location: "/orders/\(order.id)"])
                return try idempotency.complete(claim, with: created, in: db)
            }.response
        } catch {
            await idempotency.release(claim)
            throw error
        }
    }

    private func address(_ id: String, field: String, userId: String) async throws -> AddressSnapshot {
        guard let canonical = Identifier.canonical(id), let found = try await findAddress(userId, canonical) else {
            throw OrderError.addressNotInBook(field: field, addressId: id)
        }
        return found
    }

    @Sendable func myOrders(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderPageDTO> {
        let caller = try context.requireUser()
        var query = try Self.listQuery(request, allowUserFilter: false)
        query.userId = caller.subject
        return try await page(query, request)
    }

    @Sendable func allOrders(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderPageDTO> {
        try await page(try Self.listQuery(request, allowUserFilter: true), request)
    }

    private func page(_ query: OrderListQuery, _ request: Request) async throws -> EnvelopeResponse<OrderPageDTO> {
        var query = query
        if let cursor = request.uri.queryParameters.get("cursor") {
            guard let position = OrderListCursor.decode(cursor, query: query) else {
                throw APIError.badRequest("The cursor is damaged or belongs to other filters", errors: [FieldError(field: "cursor", message: "is not valid for this query")])
            }
            query.after = position
        }
        let page = try await orders.list(query)
        return EnvelopeResponse(OrderPageDTO(items: page.items.map(OrderSummaryDTO.init),
                                             nextCursor: page.next.map { OrderListCursor.encode($0, query: query) }))
    }

    static func listQuery(_ request: Request, allowUserFilter: Bool) throws -> OrderListQuery {
        let parameters = request.uri.queryParameters
        var check = Validator()
        var query = OrderListQuery()
        if let text = parameters.get("status") {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            let statuses = names.compactMap(OrderStatus.init(rawValue:))
            check.require(statuses.count == names.count && !names.isEmpty, "status",
                          "must be comma-separated values of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            query.statuses = statuses
        }
        if allowUserFilter, let userId = parameters.get("userId") {
            let canonical = Identifier.canonical(userId)
            check.require(canonical != nil, "userId", "must be a UUID")
            query.userId = canonical
        }
        if allowUserFilter, let stuck = parameters.get("stuck") {
            check.require(stuck == "true" || stuck == "false", "stuck", "must be true or false")
            query.stuck = stuck == "true"
        }
        query.limit = check.integer(parameters.get("limit"), "limit", default: 20, range: 1...100)
        try check.finish()
        return query
    }

    @Sendable func order(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderDTO> {
        let principal = try context.requirePrincipal()
        if principal.roles.contains(Roles.service), !principal.isAdmin, !principal.scopes.contains(Self.readScope) {
            throw APIError.forbidden("This needs a service token with the \(Self.readScope) scope")
        }
        return EnvelopeResponse(OrderDTO(try await orders.order(id: try context.parameters.require("id"), viewer: principal)))
    }

    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderDTO> {
        let caller = try context.requireUser()
        let body = try await request.decodeOptionalJSON(CancelOrderRequest.self, context: context)
        return try await answer(.customerCancel(reason: body?.reason), request, context, caller: caller,
                                accepted: "Cancellation started", unchanged: "The order is already cancelled or being cancelled")
    }

    @Sendable func requestReturn(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderDTO> {
        let caller = try context.requireUser()
        let body = try await request.decodeJSON(ReturnOrderRequest.self, context: context)
        return try await answer(.customerReturn(reason: body.reason), request, context, caller: caller,
                                accepted: "Return requested", unchanged: "The return was already requested")
    }

    @Sendable func receiveReturn(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderDTO> {
        try await answer(.returnReceived, request, context, caller: try context.requirePrincipal(),
                         accepted: "Return received; stock and refund under way", unchanged: "Nothing changed")
    }

    @Sendable func redrive(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<OrderDTO> {
        try await answer(.operatorRedrive, request, context, caller: try context.requirePrincipal(),
                         accepted: "Redriven", unchanged: "The order is not stuck")
    }

    private func answer(_ message: SagaMessage, _ request: Request, _ context: ServiceRequestContext, caller: Principal,
                        accepted: String, unchanged: String) async throws -> EnvelopeResponse<OrderDTO> {
        let orderId = try context.parameters.require("id")
        switch try await orders.request(message, orderId: orderId, by: caller, metadata: Self.metadata(request, context)) {
        case .accepted(let order): return EnvelopeResponse(OrderDTO(order), status: .accepted, message: accepted)
        case .unchanged(let order): return EnvelopeResponse(OrderDTO(order), message: unchanged)
        }
    }

    /// Envelope metadata of events a request causes: the request id is their cause, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}
