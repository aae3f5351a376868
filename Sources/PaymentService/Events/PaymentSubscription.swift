import Contracts
import Logging
import ServiceKit

/// The one consumer of the payment service: `order.order.v1` (the payable-order projection) and
/// `payment.commands` (the saga's commands), dispatched by topic.
///
/// One subscription, not two: two runners in one consumer group with different topic lists let the
/// group hand a partition of one topic to the runner whose handler does not know it, which would skip
/// its records (and store their offsets).
enum PaymentSubscription {
    static func make(clock: ServiceClock, logger: Logger) -> EventSubscription {
        EventSubscription(topics: [Topics.orderOrder, Topics.paymentCommands]) { event, db in
            switch event.topic {
            case Topics.orderOrder:
                try OrderEventHandlers.apply(event, now: clock.now(), in: db)
            case Topics.paymentCommands:
                try PaymentCommandHandlers.apply(event, now: clock.now(), logger: logger, in: db)
            default:
                throw MessagingError.unexpectedEventType(expected: "an order event or a payment command", actual: event.eventType,
                                                         eventId: event.eventId)
            }
        }
    }
}
