import Foundation
import GRDB
import ServiceKit

/// The order service's one consumer subscription: a single group over every topic it reads, each record
/// handed to the handler(s) whose topics include it. One subscription, because two runners in one group
/// would each be assigned only some partitions of the topics they share with the other, and miss the rest.
///
/// Wiring (in `OrderServer.makeApp`):
///
///     let dispatcher = OrderEventDispatcher(projections: projections, saga: (topics: SagaTopics, handler: { event, db in … }))
///     try app.addMessaging(database: database, subscriptions: [dispatcher.subscription()])
struct OrderEventDispatcher: Sendable {
    typealias Handler = @Sendable (ReceivedEvent, Database) throws -> Void

    let projections: ProjectionEventHandler
    /// The checkout saga's topics and handler; nil until the saga is wired.
    let saga: (topics: [String], handler: Handler)?

    init(projections: ProjectionEventHandler, saga: (topics: [String], handler: Handler)? = nil) {
        self.projections = projections
        self.saga = saga
    }

    /// Every topic, each once, projections first.
    var topics: [String] {
        var topics = ProjectionEventHandler.topics
        for topic in saga?.topics ?? [] where !topics.contains(topic) { topics.append(topic) }
        return topics
    }

    /// Both handlers see a topic both read (the saga may want `iam.user.v1` too), in one transaction.
    func apply(_ event: ReceivedEvent, _ db: Database) throws {
        if ProjectionEventHandler.topics.contains(event.topic) { try projections.apply(event, db) }
        if let saga, saga.topics.contains(event.topic) { try saga.handler(event, db) }
    }

    /// The subscription, with the runner's settings adjusted by `configure` (e.g. a dead-letter hook).
    func subscription(configure: @escaping @Sendable (inout EventConsumerConfiguration) -> Void = { _ in }) -> EventSubscription {
        EventSubscription(topics: topics, configure: configure) { event, db in try apply(event, db) }
    }
}
