import GRDB
import BrokerClient

/// Settings of an `EventConsumerRunner`.
public struct EventConsumerConfiguration: Sendable {
    /// Where a group without stored offsets for a partition starts.
    public enum StartPosition: Sendable { case earliest, latest }

    /// The service's name (metrics label, client id).
    public var serviceName: String
    /// The consumer group; also names the dead-letter topics (`<topic>.<group>.dlt`).
    public var groupId: String
    public var topics: [String]
    /// Attempts per record (the first try included) before it is dead-lettered.
    public var maxAttempts = 5
    public var retryBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
    /// The delay between failed polls or failed dead-letter publishes (the broker is down).
    public var brokerBackoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
    public var startPosition = StartPosition.earliest
    public var pollTimeout: Duration = .seconds(1)
    /// How often the lag gauges are refreshed.
    public var lagInterval: Duration = .seconds(5)
    public var deliveryTimeout: Duration = .seconds(15)
    /// Group session, rebalance and heartbeat timing and fetch sizes; `groupId`, the offset reset and
    /// auto-commit are set by the runner.
    public var consumer = ConsumerConfig()
    /// Runs in the transaction that moves the offset past a dead-lettered record: where a service records
    /// that something it owns now needs an operator (the order service's `stuck` flag, C14). A throw
    /// leaves the offset where it was (the record is dead-lettered again on the next attempt).
    public var onDeadLetter: (@Sendable (DeadLetteredRecord, Database) throws -> Void)?

    public init(serviceName: String, groupId: String, topics: [String]) {
        self.serviceName = serviceName
        self.groupId = groupId
        self.topics = topics
    }

    /// The group id under which redrive progress through the dead-letter topics is stored.
    var redriveGroupId: String { groupId + ".redrive" }
}

/// A record the consumer gave up on, as `EventConsumerConfiguration.onDeadLetter` sees it.
public struct DeadLetteredRecord: Sendable, Equatable {
    public var topic: String
    /// The record key (the aggregate id: an order id for a checkout's messages).
    public var key: String?
    public var eventType: String?
    public var error: String
}
