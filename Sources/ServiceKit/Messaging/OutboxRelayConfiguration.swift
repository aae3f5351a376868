/// Settings of an `OutboxRelay`; the defaults suit a service under `shop up`.
public struct OutboxRelayConfiguration: Sendable {
    /// The service's name, sent in the `producer` header and used as the Kafka client id.
    public var serviceName: String
    /// How often the relay looks for rows even without a commit signal (a write from another process,
    /// a signal lost to a crash), and how often the lag metrics are refreshed.
    public var pollInterval: Duration = .seconds(1)
    /// Rows read per pass.
    public var batchSize = 200
    /// The delay between failing passes (the broker is down, for example).
    public var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
    /// How long one record may take to be acknowledged before the pass counts it as failed.
    public var deliveryTimeout: Duration = .seconds(15)
    /// Published rows older than this are deleted.
    public var retention: Duration = .seconds(7 * 24 * 3600)
    public var purgeInterval: Duration = .seconds(600)
    /// How far before a row's first publish attempt the relay looks in the topic for an in-doubt row:
    /// covers clock skew between the relay's clock and the record timestamps.
    public var inDoubtLookback: Duration = .seconds(60)
    /// At shutdown, how long a pass in flight may take to finish before the relay stops regardless.
    public var shutdownGrace: Duration = .seconds(2)
    /// Test hooks; see `OutboxRelay.Hooks`.
    var hooks = OutboxRelay.Hooks()

    public init(serviceName: String) {
        self.serviceName = serviceName
    }
}
