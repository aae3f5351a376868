import BrokerClient
import Synchronization

/// An idempotent acks=all producer with its own cluster connections, created on first use and replaced
/// after a failed delivery: a batch that failed after its sequence numbers were assigned leaves the
/// producer's sequence for that partition out of step with the broker, so the next send would be
/// rejected. A new producer gets a new producer id and starts clean.
final class ManagedProducer: Sendable {
    private let bootstrap: [String]
    private let clientId: String
    private let deliveryTimeout: Duration
    private let current = Mutex<(cluster: BrokerCluster, producer: BrokerProducer)?>(nil)

    init(bootstrap: [String], clientId: String, deliveryTimeout: Duration) throws(BrokerClientError) {
        // Validate the addresses now, so a typo fails at startup rather than on every send.
        _ = try BrokerCluster(bootstrap: bootstrap)
        self.bootstrap = bootstrap
        self.clientId = clientId
        self.deliveryTimeout = deliveryTimeout
    }

    func get() throws(BrokerClientError) -> (cluster: BrokerCluster, producer: BrokerProducer) {
        let bootstrap = self.bootstrap, clientId = self.clientId, deliveryTimeout = self.deliveryTimeout
        return try current.withLock { (current) throws(BrokerClientError) -> (cluster: BrokerCluster, producer: BrokerProducer) in
            if let current { return current }
            let cluster = try BrokerCluster(bootstrap: bootstrap, clientId: clientId, requestTimeout: deliveryTimeout)
            var config = ProducerConfig()
            config.acks = .all
            config.idempotent = true
            config.deliveryTimeout = deliveryTimeout
            config.requestTimeout = deliveryTimeout
            let made = (cluster: cluster, producer: try BrokerProducer(cluster: cluster, config: config))
            current = made
            return made
        }
    }

    /// Closes the producer (after its sends have settled) and its connections; the next `get` makes a new one.
    func discard() async {
        let old = current.withLock { current -> (cluster: BrokerCluster, producer: BrokerProducer)? in
            defer { current = nil }
            return current
        }
        guard let old else { return }
        await old.producer.close()
        await old.cluster.shutdown()
    }
}
