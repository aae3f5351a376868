import BrokerClient
import Foundation
import KafkaWire
import Logging
import ServiceKit
import ServiceLifecycle

/// Runs an event consumer only once the topics it subscribes to exist. A consumer group is assigned
/// only partitions of topics that exist when it forms, and nothing makes it look again, so a service
/// started before anyone produced to `inventory.commands` would never receive a command. This creates the
/// missing topics first (retrying while the broker is unreachable), then hands over to the runner.
struct ConsumerWithTopics: Service {
    let topics: [String]
    let bootstrap: [String]
    let runner: EventConsumerRunner
    let logger: Logger
    var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))

    func run() async throws {
        let provisioned: Bool = (try? await cancelWhenGracefulShutdown {
            var attempt = 0
            while true {
                do {
                    try await ensureTopics()
                    return true
                } catch {
                    attempt += 1
                    let delay = backoff.delay(attempt: attempt)
                    logger.warning("cannot make sure the consumed topics exist; retrying",
                                   metadata: ["topics": "\(topics)", "error": "\(error)", "retry_in": "\(delay)"])
                    try await Task.sleep(for: delay)
                }
            }
        }) ?? false
        guard provisioned else { return }  // shut down before the broker was reachable
        try await runner.run()
    }

    private func ensureTopics() async throws {
        let cluster = try BrokerCluster(bootstrap: bootstrap, clientId: "inventory-topics", requestTimeout: .seconds(5))
        do {
            let metadata = try await cluster.refreshMetadata(topics: topics)
            let admin = BrokerAdmin(cluster: cluster)
            for topic in topics where metadata.topics[topic].map({ $0.error != nil || $0.partitions.isEmpty }) ?? true {
                do {
                    try await admin.createTopic(topic)
                    logger.info("created topic", metadata: ["topic": "\(topic)"])
                } catch BrokerClientError.broker(.topicAlreadyExists, _) {
                    // Created meanwhile by someone else: what we wanted.
                }
            }
            await cluster.shutdown()
        } catch {
            await cluster.shutdown()
            throw error
        }
    }
}
