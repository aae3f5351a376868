import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The caller's cart (API.md §4.1): the route table, then one handler per route. Prices come from the
/// catalog projection at read time; a product the projection has not heard of is read through from
/// catalog. Domain errors are thrown as they are; `OrderError.apiError` decides what the client sees.
struct CartRoutes: Sendable {
    let store: OrderStore
    let readThrough: ProjectionReadThrough
    let currency: Currency
    let clock: ServiceClock

    func register(on app: ServiceApp, verifier: JWTVerifier) {
        let user: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>] = [AuthMiddleware(verifier: verifier),
                                                                                        CartUserMiddleware()]
        app.route(.get, "/cart", doc: OperationDoc(
            "The caller's cart, priced from the current catalog prices (422 in the unlikely case that a price rise makes its total exceed the largest amount)",
            tag: "cart", requiresAuth: true, response: CartDTO.example, errors: [403, 422]), middleware: user, getCart)
        app.route(.put, "/cart/items/:productId", doc: OperationDoc(
            "Set the quantity of a product in the cart (1–99; not added to what is there). 404 for a product unknown to catalog or a draft; 422 when it is discontinued or the cart already has \(OrderStore.maxCartLines) lines; 503 when catalog must be asked and cannot be",
            tag: "cart", requiresAuth: true, request: CartItemRequest.example, response: CartDTO.example,
            errors: [400, 403, 404, 422, 503]), middleware: user, setItem)
        app.route(.delete, "/cart/items/:productId", doc: OperationDoc(
            "Remove a product from the cart (200 with the cart also when it was not there)", tag: "cart", requiresAuth: true,
            response: CartDTO.example, errors: [403]), middleware: user, removeItem)
        app.route(.delete, "/cart", doc: OperationDoc(
            "Empty the cart", tag: "cart", requiresAuth: true, response: CartDTO.example, errors: [403]),
            middleware: user, emptyCart)
    }

    // MARK: Handlers

    @Sendable func getCart(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CartDTO> {
        let userId = try context.requirePrincipal().subject
        let (currency, now) = (currency, clock.now())
        return EnvelopeResponse(CartDTO(try await store.database.read { db in
            try OrderStore.cart(userId: userId, currency: currency, now: now, db)
        }))
    }

    @Sendable func setItem(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CartDTO> {
        let userId = try context.requirePrincipal().subject
        // API.md §1.5: the body (400) before the id (404).
        let body = try await request.decodeJSON(CartItemRequest.self, context: context)
        guard let productId = Self.canonicalId(context.parameters.get("productId")) else {
            throw OrderError.productNotFound(productId: context.parameters.get("productId") ?? "")
        }
        // Reads through to catalog only when the projection has never heard of the product; the
        // transaction below checks the status again against what it then holds.
        guard try await readThrough.ensureProduct(productId: productId) != nil else {
            throw OrderError.productNotFound(productId: productId)
        }
        let (currency, now) = (currency, clock.now())
        let cart = try await store.database.write { db in
            try OrderStore.setCartLine(userId: userId, productId: productId, quantity: body.quantity, currency: currency, now: now, db)
        }
        return EnvelopeResponse(CartDTO(cart), message: "Cart updated")
    }

    @Sendable func removeItem(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CartDTO> {
        let userId = try context.requirePrincipal().subject
        // A malformed id is "unknown", and removing an unknown product answers the cart as it is.
        let productId = Self.canonicalId(context.parameters.get("productId"))
        let (currency, now) = (currency, clock.now())
        let cart = try await store.database.write { db in
            guard let productId else { return try OrderStore.cart(userId: userId, currency: currency, now: now, db) }
            return try OrderStore.removeCartLine(userId: userId, productId: productId, currency: currency, now: now, db)
        }
        return EnvelopeResponse(CartDTO(cart), message: "Cart updated")
    }

    @Sendable func emptyCart(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CartDTO> {
        let userId = try context.requirePrincipal().subject
        let (currency, now) = (currency, clock.now())
        let cart = try await store.database.write { db in
            try OrderStore.emptyCart(userId: userId, currency: currency, now: now, db)
        }
        return EnvelopeResponse(CartDTO(cart), message: "Cart emptied")
    }

    /// A UUID in canonical lowercase, nil when malformed.
    static func canonicalId(_ raw: String?) -> String? {
        guard let raw, UUID(uuidString: raw) != nil else { return nil }
        return raw.lowercased()
    }
}

/// The `user` label (API.md §1.4): a person's token (role `customer` or `admin`), acting on their own
/// cart; client-credentials tokens are refused with 403 before the body is read. Runs after `AuthMiddleware`.
struct CartUserMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = try context.requireUser()
        return try await next(request, context)
    }
}
