import Prometheus

/// The relay's Prometheus series, labelled with the service name.
struct OutboxRelayMetrics: Sendable {
    let unpublished: Gauge
    let oldestAge: Gauge
    let published: Counter
    let failedPasses: Counter
    let purged: Counter

    init(registry: PrometheusCollectorRegistry, service: String) {
        let labels = [("service", service)]
        unpublished = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "outbox_unpublished", unitName: "rows",
                                             helpText: "Outbox rows committed and not yet acknowledged by the broker."),
            labels: labels)
        oldestAge = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "outbox_oldest_unpublished_age", unitName: "seconds",
                                             helpText: "Age of the oldest unpublished outbox row (0 when none)."),
            labels: labels)
        published = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "outbox_published", unitName: "total",
                                             helpText: "Outbox rows acknowledged by the broker and marked published."),
            labels: labels)
        failedPasses = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "outbox_failed_passes", unitName: "total",
                                             helpText: "Relay passes that failed (broker unreachable, for example); their rows are retried."),
            labels: labels)
        purged = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "outbox_purged", unitName: "total",
                                             helpText: "Published outbox rows deleted after the retention."),
            labels: labels)
    }
}
