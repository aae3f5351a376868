import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// The order service's use cases: placing an order, reading and listing, the customer's and the operator's
/// requests, and the saga's step for one message. Each write is one transaction; the saga's decisions are
/// `CheckoutSaga`'s, this type only loads, stores and logs them.
public struct Orders: Sendable {
    public let store: OrderStore
    public let settings: SagaSettings
    public let currency: Currency
    public let clock: ServiceClock
    let logger: Logger

    /// The most lines an order may have (the cart's limit).
    static let maximumLines = 50

    public init(store: OrderStore, settings: SagaSettings, currency: Currency, clock: ServiceClock, logger: Logger) {
        self.store = store
        self.settings = settings
        self.currency = currency
        self.clock = clock
        self.logger = logger
    }

    // MARK: Placing

    /// What `POST /orders` asks for, after the addresses were found (projection or read-through).
    public struct Placement: Sendable {
        public var userId: String
        public var idempotencyKey: String
        public var shippingAddress: AddressSnapshot
        public var billingAddress: AddressSnapshot
        /// The caller's email from the token, when the projection does not have one.
        public var email: String?
    }

    /// Prices the cart from the projection, snapshots the buyer, inserts the order `PENDING_RESERVATION`,
    /// empties the cart and starts the saga, all inside `db`'s transaction (the caller's, which also
    /// completes the idempotency key).
    func place(_ placement: Placement, metadata: EventMetadata, _ db: Database) throws -> Order {
        if try OrderStore.isAccountDisabled(userId: placement.userId, db) { throw OrderError.accountDisabled(userId: placement.userId) }
        let cart = try OrderStore.pricedCart(userId: placement.userId, db)
        guard !cart.isEmpty else { throw OrderError.cartEmpty }
        var lines: [OrderLine] = []
        var subtotal = Money.zero(currency)
        for line in cart {
            guard line.productStatus == "ACTIVE" else {
                throw OrderError.productUnavailable(productId: line.productId, reason: line.productStatus == "DISCONTINUED"
                                                    ? "is discontinued" : "is not for sale")
            }
            guard line.unitPrice.currency == currency else {
                throw OrderError.unpriceable(reason: "product \(line.productId) is priced in \(line.unitPrice.currency.code), not \(currency.code)")
            }
            let (lineMinor, lineOverflow) = line.unitPrice.amountMinor.multipliedReportingOverflow(by: Int64(line.quantity))
            let (sumMinor, sumOverflow) = subtotal.amountMinor.addingReportingOverflow(lineMinor)
            guard !lineOverflow, !sumOverflow else { throw OrderError.unpriceable(reason: "the total exceeds the largest amount") }
            let lineTotal = Money(amountMinor: lineMinor, currency: currency)
            subtotal = Money(amountMinor: sumMinor, currency: currency)
            lines.append(OrderLine(productId: line.productId, sku: line.sku, name: line.name, quantity: line.quantity,
                                   unitPrice: line.unitPrice, lineTotal: lineTotal))
        }
        let now = clock.now()
        var customer = try OrderStore.customerSnapshot(userId: placement.userId, db)
        if customer.email == nil { customer.email = placement.email }
        let id = Identifier.make(at: now)
        // v1: no discounts, shipping or tax (prices include tax): total == subtotal.
        let saga = SagaOrder(id: id, userId: placement.userId, status: .pendingReservation, lines: lines, total: subtotal,
                             shippingAddress: placement.shippingAddress)
        let order = Order(saga: saga, subtotal: subtotal, customer: customer, billingAddress: placement.billingAddress,
                          placedAt: now, updatedAt: now, history: [Order.HistoryEntry(status: .pendingReservation, at: now, reason: nil)])
        let placed = OrderPlaced(orderId: id, userId: placement.userId, lines: lines, subtotal: subtotal, total: subtotal,
                                 shippingAddress: placement.shippingAddress, billingAddress: placement.billingAddress, placedAt: now)
        let decision = CheckoutSaga.place(saga, placed: placed, now: now, settings: settings)
        var sagaMetadata = metadata
        sagaMetadata.correlationId = id
        try OrderStore.insert(order, idempotencyKey: placement.idempotencyKey, decision: decision, metadata: sagaMetadata, now: now, db)
        try OrderStore.clearCart(userId: placement.userId, db)
        logger.info("order placed", metadata: ["orderId": "\(id)", "lines": "\(lines.count)", "total": "\(subtotal.amountMinor)"])
        return order
    }

    // MARK: Reading

    /// One order for a viewer: its owner, an admin, or a service (checked by the route); anyone else 404.
    public func order(id: String, viewer: Principal) async throws -> Order {
        guard let canonical = Identifier.canonical(id) else { throw OrderError.orderNotFound(orderId: id) }
        guard let order = try await store.database.read({ db in try OrderStore.fetchOrder(orderId: canonical, db) }),
              Self.mayView(order.saga, viewer) else {
            throw OrderError.orderNotFound(orderId: id)
        }
        return order
    }

    public func list(_ query: OrderListQuery) async throws -> OrderPage {
        try await store.database.read { db in try OrderStore.list(query, db) }
    }

    static func mayView(_ order: SagaOrder, _ viewer: Principal) -> Bool {
        order.userId == viewer.subject || viewer.isAdmin || viewer.roles.contains(Roles.service)
    }

    // MARK: Requests of the customer and the operator

    /// What a customer's or operator's request did.
    public enum RequestOutcome: Sendable {
        /// The saga moved on (HTTP 202).
        case accepted(Order)
        /// Nothing to do: the order is already where the request leads (HTTP 200).
        case unchanged(Order)
    }

    /// Runs a customer's or operator's request through the saga. `owner`: only the order's owner or an
    /// admin may ask; anyone else gets 404 before any state check.
    public func request(_ message: SagaMessage, orderId: String, by caller: Principal, metadata: EventMetadata) async throws -> RequestOutcome {
        guard let canonical = Identifier.canonical(orderId) else { throw OrderError.orderNotFound(orderId: orderId) }
        let changed = try await store.database.write { db -> Bool in
            guard let saga = try OrderStore.fetchSaga(orderId: canonical, db),
                  saga.userId == caller.subject || caller.isAdmin else { throw OrderError.orderNotFound(orderId: orderId) }
            let decision = try step(message, order: saga, metadata: metadata, db)
            if case .refused(let message) = decision.outcome {
                throw OrderError.conflict(orderId: canonical, status: saga.status, message: message)
            }
            return decision.changesSomething
        }
        let order = try await store.database.read { db in try OrderStore.fetchOrder(orderId: canonical, db) }
        guard let order else { throw OrderError.orderNotFound(orderId: orderId) }
        return changed ? .accepted(order) : .unchanged(order)
    }

    // MARK: The saga's step

    /// Decides `message` for the order in `db`'s transaction and stores the decision; logs what happened.
    /// Returns the decision (`.ignored` ones are logged at debug level and change nothing).
    @discardableResult
    func step(_ message: SagaMessage, order: SagaOrder, metadata: EventMetadata, _ db: Database) throws -> SagaDecision {
        let now = clock.now()
        let decision = CheckoutSaga.decide(message, for: order, now: now, settings: settings)
        var sagaMetadata = metadata
        sagaMetadata.correlationId = order.id
        try OrderStore.apply(decision, to: order, metadata: sagaMetadata, now: now, db)
        let details: Logger.Metadata = ["orderId": "\(order.id)", "message": "\(message.name)"]
        switch decision.outcome {
        case .transition(let from, let to):
            logger.info("order \(from.rawValue) → \(to.rawValue)", metadata: details)
        case .recorded(let what):
            logger.debug("order \(order.status.rawValue): \(what)", metadata: details)
        case .ignored(let why):
            logger.notice("message ignored in \(order.status.rawValue): \(why)", metadata: details)
        case .refused(let why):
            logger.info("request refused in \(order.status.rawValue): \(why)", metadata: details)
        }
        if let alert = decision.alert {
            logger.error("operator attention: \(alert)", metadata: details)
        }
        return decision
    }

    /// The saga's step for a participant's message, inside the consumer's transaction. An order this service
    /// does not know (a reservation made over HTTP by ops tools) is not ours: logged, skipped.
    func handle(_ message: SagaMessage, orderId: String, metadata: EventMetadata, _ db: Database) throws {
        guard let order = try OrderStore.fetchSaga(orderId: orderId, db) else {
            logger.debug("message for an order this service did not place", metadata: ["orderId": "\(orderId)", "message": "\(message.name)"])
            return
        }
        try step(message, order: order, metadata: metadata, db)
    }

    /// Fires every due deadline (each in its own transaction); returns how many fired.
    func fireDueDeadlines(limit: Int = 100) async throws -> Int {
        let now = clock.now()
        let due = try await store.database.read { db in try OrderStore.dueDeadlines(now: now, limit: limit, db) }
        for (orderId, deadline) in due {
            do {
                try await fire(deadline, orderId: orderId)
            } catch {
                // One order's trouble must not hold back the others; its deadline stays and fires again.
                logger.warning("a saga deadline could not be handled", metadata: ["orderId": "\(orderId)", "kind": "\(deadline.kind.rawValue)",
                                                                                  "error": "\(error)"])
            }
        }
        return due.count
    }

    private func fire(_ deadline: SagaDeadline, orderId: String) async throws {
        try await store.database.write { db in
            // Re-read: a message may have moved or cleared the deadline since.
            guard let current = try OrderStore.deadline(orderId: orderId, db), current == deadline else { return }
            try OrderStore.removeDeadline(orderId: orderId, db)
            guard let order = try OrderStore.fetchSaga(orderId: orderId, db) else { return }
            try step(.deadline(deadline.kind), order: order, metadata: EventMetadata(correlationId: orderId, causationId: "deadline"), db)
        }
    }
}
