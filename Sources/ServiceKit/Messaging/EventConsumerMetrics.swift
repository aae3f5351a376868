import BrokerClient
import Prometheus

/// The consumer runner's Prometheus series, labelled with service, group, topic (and partition for lag).
/// The registry returns the same series for the same labels, so they are made on use.
struct EventConsumerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let service: String
    let group: String

    func lag(_ partition: TopicPartition) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "consumer_lag", unitName: "records",
                                             helpText: "Records in the partition after the next offset stored in the service's database."),
            labels: [("service", service), ("group", group), ("topic", partition.topic), ("partition", String(partition.partition))])
    }

    func applied(topic: String) -> Counter { counter("consumer_events_applied", topic, "Events applied by the handler.") }
    func duplicates(topic: String) -> Counter { counter("consumer_events_duplicate", topic, "Redelivered events skipped by the inbox.") }
    func failures(topic: String) -> Counter { counter("consumer_handler_failures", topic, "Failed attempts to apply an event.") }
    func deadLettered(topic: String) -> Counter { counter("consumer_events_dead_lettered", topic, "Events published to the dead-letter topic.") }
    func redriven(topic: String) -> Counter { counter("consumer_events_redriven", topic, "Dead-lettered events applied by a redrive.") }

    private func counter(_ name: String, _ topic: String, _ help: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help),
                             labels: [("service", service), ("group", group), ("topic", topic)])
    }
}
