import KafkaWire
import LogStore
import NIOCore
import Prometheus

/// The broker's Prometheus metrics. Per-request instruments are created once per API at start-up,
/// so the request path only bumps atomics; gauges that describe state (partitions, log end offsets,
/// group states, connections) are refreshed when /metrics is scraped.
public final class BrokerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let bytesIn: Counter
    let bytesOut: Counter
    let recordsIn: Counter
    let recordsOut: Counter
    /// What start-up recovery cut or removed (KIP-less; Kafka logs the same at WARN in `LogLoader`).
    let recoveryTruncations: Counter
    let recoveryTruncatedBytes: Counter
    let recoveryDeletedSegments: Counter
    let recoveryRemovedTemporaryFiles: Counter
    let recoverySkippedOffsetLines: Counter
    private let requests: [Int16: Counter]
    private let errors: [Int16: Counter]
    private let latency: [Int16: DurationHistogram]

    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: .init(namespace: "broker", metricName: name, unitName: "total", helpText: help))
        }
        bytesIn = counter("bytes_in", "Record batch bytes appended by Produce requests.")
        bytesOut = counter("bytes_out", "Record batch bytes sent in Fetch responses.")
        recordsIn = counter("records_in", "Records appended by Produce requests.")
        recordsOut = counter("records_out", "Offsets covered by the batches sent in Fetch responses.")
        recoveryTruncations = counter("recovery_truncations", "Segment tails cut off at start-up (torn or corrupt batches).")
        recoveryTruncatedBytes = counter("recovery_truncated_bytes", "Bytes cut off segment tails at start-up.")
        recoveryDeletedSegments = counter("recovery_deleted_segments", "Segments deleted at start-up because they followed a cut or a gap.")
        recoveryRemovedTemporaryFiles = counter("recovery_removed_temporary_files", "Leftover temporary files of interrupted atomic writes removed at start-up.")
        recoverySkippedOffsetLines = counter("recovery_skipped_offset_lines", "Torn lines of the committed-offsets file ignored at start-up.")
        var requests: [Int16: Counter] = [:]
        var errors: [Int16: Counter] = [:]
        var latency: [Int16: DurationHistogram] = [:]
        for key in ApiKey.allCases {
            let labels = [("api", "\(key)")]
            requests[key.rawValue] = registry.makeCounter(
                descriptor: .init(namespace: "broker", metricName: "requests", unitName: "total", helpText: "Requests handled, by API."),
                labels: labels)
            errors[key.rawValue] = registry.makeCounter(
                descriptor: .init(namespace: "broker", metricName: "request_errors", unitName: "total",
                                  helpText: "Requests answered with at least one error code, by API."),
                labels: labels)
            latency[key.rawValue] = registry.makeDurationHistogram(
                descriptor: .init(namespace: "broker", metricName: "request_duration", unitName: "seconds",
                                  helpText: "Time from a request's decoding to its response, by API (long polls included)."),
                labels: labels, buckets: Self.latencyBuckets)
        }
        self.requests = requests
        self.errors = errors
        self.latency = latency
    }

    func recordRecovery(_ report: RecoveryReport) {
        recoveryTruncations.increment(by: Int64(report.truncations.count))
        recoveryTruncatedBytes.increment(by: report.truncatedBytes)
        recoveryDeletedSegments.increment(by: Int64(report.deletedSegments.count))
        recoveryRemovedTemporaryFiles.increment(by: Int64(report.removedTemporaryFiles.count))
    }

    func recordRequest(_ key: ApiKey, duration: Duration, failed: Bool) {
        requests[key.rawValue]?.increment()
        latency[key.rawValue]?.record(duration)
        if failed { errors[key.rawValue]?.increment() }
    }

    /// Refreshes the state gauges and renders the exposition text.
    func render(topics: TopicRegistry, groupStates: [GroupCoordinator.State: Int], connections: Int) -> String {
        let connectionsGauge = registry.makeGauge(descriptor: .init(namespace: "broker", metricName: "connections", unitName: "",
                                                                    helpText: "Open client connections."))
        connectionsGauge.set(Double(connections))
        var partitionCount = 0
        for topic in topics.allTopics {
            for partition in topic.partitions {
                partitionCount += 1
                let labels = [("topic", topic.info.name), ("partition", "\(partition.index)")]
                registry.makeGauge(descriptor: .init(namespace: "broker", metricName: "log_end_offset", unitName: "",
                                                     helpText: "Next offset to be written, per partition."), labels: labels)
                    .set(Double(partition.log.logEndOffset))
                registry.makeGauge(descriptor: .init(namespace: "broker", metricName: "log_size", unitName: "bytes",
                                                     helpText: "Bytes on disk, per partition."), labels: labels)
                    .set(Double(partition.log.sizeInBytes))
            }
        }
        registry.makeGauge(descriptor: .init(namespace: "broker", metricName: "partitions", unitName: "", helpText: "Partitions hosted."))
            .set(Double(partitionCount))
        for state in [GroupCoordinator.State.empty, .preparingRebalance, .completingRebalance, .stable, .dead] {
            registry.makeGauge(descriptor: .init(namespace: "broker", metricName: "groups", unitName: "",
                                                 helpText: "Consumer groups, by state."), labels: [("state", state.rawValue)])
                .set(Double(groupStates[state] ?? 0))
        }
        return registry.emitToString()
    }
}
