import Foundation
import Logging
import LogStore
import NIOCore
import NIOPosix

/// The running broker: storage, coordinator, request handling and the TCP listener, plus the
/// background work (interval flushes, retention, group timers). `shutdown()` is the graceful path.
public final class BrokerRuntime: Sendable {
    public let config: BrokerConfig
    public let topics: TopicRegistry
    public let groups: GroupCoordinator
    public let offsets: OffsetStore
    public let producerIds: ProducerIdAllocator
    public let logger: Logger
    private let server: KafkaServer
    private let handler: BrokerRequestHandler
    private let metricsServer: MetricsServer
    private let background: Task<Void, Never>

    public var port: Int { server.port }

    private init(config: BrokerConfig, topics: TopicRegistry, groups: GroupCoordinator, offsets: OffsetStore,
                 producerIds: ProducerIdAllocator, logger: Logger, server: KafkaServer, handler: BrokerRequestHandler,
                 metricsServer: MetricsServer,
                 background: Task<Void, Never>) {
        self.config = config
        self.topics = topics
        self.groups = groups
        self.offsets = offsets
        self.producerIds = producerIds
        self.logger = logger
        self.server = server
        self.handler = handler
        self.metricsServer = metricsServer
        self.background = background
    }

    public static func start(config: BrokerConfig, logger: Logger) async throws -> BrokerRuntime {
        let started = ContinuousClock.now
        let topics = try TopicRegistry(dataDirectory: config.dataDirectory + "/topics", defaults: config.topicDefaults,
                                       defaultPartitions: config.defaultPartitions)
        let offsets = try OffsetStore(directory: config.dataDirectory + "/groups")
        var settings = GroupCoordinator.Settings()
        settings.minSessionTimeoutMs = config.groupMinSessionTimeoutMs
        settings.maxSessionTimeoutMs = config.groupMaxSessionTimeoutMs
        settings.initialRebalanceDelayMs = config.groupInitialRebalanceDelayMs
        let groups = GroupCoordinator(
            settings: settings, knownGroups: offsets.groups, restored: offsets.restoredGroups,
            persist: { record, done in
                offsets.store(record) { error in
                    if let error { logger.error("storing consumer group failed", metadata: ["group": "\(record.groupId)", "error": "\(error)"]) }
                    done()
                }
            })
        let producerIds = try ProducerIdAllocator(directory: config.dataDirectory)
        let appendSignal = AppendSignal()
        let metrics = BrokerMetrics()
        Self.reportRecovery(topics: topics, offsets: offsets, metrics: metrics, logger: logger)
        let handler = BrokerRequestHandler(config: config, topics: topics, groups: groups, offsets: offsets,
                                           producerIds: producerIds, appendSignal: appendSignal, metrics: metrics, logger: logger)
        var serverSettings = KafkaServer.Settings(host: config.listenHost, port: config.listenPort)
        serverSettings.maximumFrameBytes = config.maximumFrameBytes
        serverSettings.idleTimeout = .milliseconds(config.idleTimeoutMilliseconds)
        serverSettings.maximumConnections = config.maximumConnections
        let server = try await KafkaServer.start(settings: serverSettings, processor: handler, logger: logger)
        let metricsServer = try await MetricsServer.start(host: config.metricsHost, port: config.metricsPort) {
            var states: [GroupCoordinator.State: Int] = [:]
            for group in await groups.list() { states[group.state, default: 0] += 1 }
            return metrics.render(topics: topics, groupStates: states, connections: server.openConnections)
        }
        let background = Task.detached {
            await Self.maintenance(topics: topics, groups: groups, config: config, logger: logger)
        }
        let recovered = topics.allTopics.flatMap(\.partitions).filter { !$0.log.recovery.wasCleanShutdown && !$0.log.recovery.createdNew }
        logger.info("broker started", metadata: [
            "listen": "\(config.listenHost):\(server.port)",
            "metrics": "http://\(config.metricsHost):\(metricsServer.port)/metrics",
            "advertised": "\(config.effectiveAdvertisedHost):\(config.effectiveAdvertisedPort)",
            "data_dir": "\(config.dataDirectory)",
            "topics": "\(topics.allTopics.count)",
            "recovered_partitions": "\(recovered.count)",
            "startup": "\(ContinuousClock.now - started)",
        ])
        return BrokerRuntime(config: config, topics: topics, groups: groups, offsets: offsets, producerIds: producerIds,
                             logger: logger, server: server, handler: handler, metricsServer: metricsServer,
                             background: background)
    }

    /// Says at warning level what recovery cut or removed, and counts it in /metrics: an operator must
    /// learn that a power cut or a disk fault cost an unacknowledged tail, even at `--log-level warning`.
    private static func reportRecovery(topics: TopicRegistry, offsets: OffsetStore, metrics: BrokerMetrics, logger: Logger) {
        for topic in topics.allTopics {
            for partition in topic.partitions {
                let report = partition.log.recovery
                metrics.recordRecovery(report)
                guard report.cutAnything else { continue }
                for cut in report.truncations {
                    logger.warning("recovery cut the tail of a segment", metadata: [
                        "topic": "\(topic.info.name)", "partition": "\(partition.index)",
                        "segment": "\(cut.segment)", "kept_bytes": "\(cut.validBytes)",
                        "bytes_cut": "\(cut.bytesCut)", "reason": "\(cut.reason)",
                    ])
                }
                if !report.deletedSegments.isEmpty {
                    logger.warning("recovery deleted segments after a cut or a gap", metadata: [
                        "topic": "\(topic.info.name)", "partition": "\(partition.index)",
                        "segments": "\(report.deletedSegments.map(String.init).joined(separator: ","))",
                    ])
                }
                if !report.removedTemporaryFiles.isEmpty {
                    logger.warning("recovery removed torn temporary files", metadata: [
                        "topic": "\(topic.info.name)", "partition": "\(partition.index)",
                        "files": "\(report.removedTemporaryFiles.joined(separator: ","))",
                    ])
                }
            }
        }
        if offsets.skippedLines > 0 {
            metrics.recoverySkippedOffsetLines.increment(by: Int64(offsets.skippedLines))
            logger.warning("recovery ignored torn lines of the committed-offsets file", metadata: [
                "lines": "\(offsets.skippedLines)", "reason": "a commit cut short by a crash was never acknowledged",
            ])
        }
    }

    /// Group timers every 100 ms, interval flushes every 100 ms, retention on its own interval.
    private static func maintenance(topics: TopicRegistry, groups: GroupCoordinator, config: BrokerConfig, logger: Logger) async {
        var sinceRetention: Int64 = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            await groups.tick()
            sinceRetention += 100
            let retention = sinceRetention >= config.retentionCheckIntervalMilliseconds
            if retention { sinceRetention = 0 }
            let deleted = topics.runMaintenance(retention: retention)
            if deleted > 0 { logger.info("retention deleted segments", metadata: ["segments": "\(deleted)"]) }
        }
    }

    /// Stops accepting connections, lets in-flight requests finish, flushes every log and marks it clean.
    public func shutdown() async {
        logger.info("shutting down")
        await server.close()
        // Answer what is in flight (a long poll ends within its max wait), refuse anything new.
        await handler.drain(timeout: .seconds(10))
        await metricsServer.close()
        background.cancel()
        await topics.closeAll()
        logger.info("shutdown complete: logs flushed and marked clean")
    }
}
