import BrokerClient
import Foundation
import KafkaWire
import Logging

/// Creates the topics the service consumes before its consumer joins the group, when they do not exist
/// yet. The consumer group assigns only topics that exist when it forms: without this, a topic that the
/// order service creates later (its first `OrderPlaced`) would not be read until the group rebalances.
///
/// Best effort and bounded: with the broker down at start-up the service starts anyway (and logs why).
/// Lives here because ServiceKit's `addMessaging` does not do it yet; it belongs there.
enum TopicProvisioning {
    static func ensure(_ topics: [String], bootstrap: [String], within limit: Duration, logger: Logger) async {
        let work = Task {
            let cluster = try BrokerCluster(bootstrap: bootstrap, clientId: "payment-topic-provisioning", requestTimeout: limit)
            defer { Task { await cluster.shutdown() } }
            let admin = BrokerAdmin(cluster: cluster)
            for topic in topics {
                do {
                    try await admin.createTopic(topic)
                    logger.info("created topic", metadata: ["topic": "\(topic)"])
                } catch BrokerClientError.broker(.topicAlreadyExists, _) {
                    continue
                }
            }
        }
        let timer = Task {
            try await Task.sleep(for: limit)
            work.cancel()
        }
        do {
            try await work.value
        } catch {
            logger.warning("could not make sure the consumed topics exist; a topic created later is read after the next rebalance",
                           metadata: ["topics": "\(topics)", "error": "\(error)"])
        }
        timer.cancel()
    }
}
