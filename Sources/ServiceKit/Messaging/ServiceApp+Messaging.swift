import BrokerClient
import Foundation

/// One consumed stream of a service: the topics, the handler that applies each event to the service's
/// own tables, and optional tuning.
public struct EventSubscription: Sendable {
    public var topics: [String]
    /// The consumer group; default `<service>` (one group per service, as DOMAIN.md says).
    public var groupId: String?
    public var handler: EventConsumerRunner.Handler
    public var configure: @Sendable (inout EventConsumerConfiguration) -> Void

    public init(topics: [String], groupId: String? = nil,
                configure: @escaping @Sendable (inout EventConsumerConfiguration) -> Void = { _ in },
                handler: @escaping EventConsumerRunner.Handler) {
        self.topics = topics
        self.groupId = groupId
        self.configure = configure
        self.handler = handler
    }
}

extension ServiceApp {
    /// Everything a service needs to take part in the event flow, in one call: the outbox relay of
    /// `database` (it publishes what the service's transactions enqueue), one consumer runner per
    /// subscription (each event applied once, in the same transaction as its inbox row and offset),
    /// and the database and broker readiness checks.
    public func addMessaging(database: ServiceDatabase, subscriptions: [EventSubscription] = [],
                             relay configureRelay: (inout OutboxRelayConfiguration) -> Void = { _ in }) throws {
        let bootstrap = config.kafkaBootstrapList
        addReadinessCheck(.database(database))
        addReadinessCheck(.broker(bootstrap: config.kafkaBootstrapServers))
        var relayConfiguration = OutboxRelayConfiguration(serviceName: config.serviceName)
        relayConfiguration.pollInterval = config.outboxPollInterval
        configureRelay(&relayConfiguration)
        addBackgroundService(try OutboxRelay(database: database, bootstrap: bootstrap, configuration: relayConfiguration,
                                             metrics: registry, logger: logger))
        for subscription in subscriptions {
            var configuration = EventConsumerConfiguration(serviceName: config.serviceName,
                                                           groupId: subscription.groupId ?? config.serviceName,
                                                           topics: subscription.topics)
            subscription.configure(&configuration)
            addBackgroundService(try EventConsumerRunner(database: database, bootstrap: bootstrap, configuration: configuration,
                                                         metrics: registry, logger: logger, handler: subscription.handler))
        }
    }
}
