import ArgumentParser
import Broker
import Foundation
import Logging
import NIOCore
import NIOPosix

/// `broker`: the Kafka-wire log broker. Every option can also be set with its `BROKER_*` environment
/// variable; a flag wins over the environment.
@main
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "A single-node log broker that speaks the Apache Kafka wire protocol.",
        discussion: """
            Each option can also be given as an environment variable (shown in brackets); a flag wins.
            Stop with SIGTERM or Ctrl-C: in-flight requests finish, every log is flushed and marked clean.
            """)

    @Option(help: "Address to listen on. [BROKER_LISTEN]")
    var listen: String?
    @Option(name: .customLong("data-dir"), help: "Directory for topics, offsets and producer ids. [BROKER_DATA_DIR]")
    var dataDir: String?
    @Option(name: .customLong("node-id"), help: "This broker's node id. [BROKER_NODE_ID]")
    var nodeId: Int32?
    @Option(name: .customLong("advertised-listener"), help: "HOST:PORT given to clients (default: the listen address). [BROKER_ADVERTISED_LISTENER]")
    var advertisedListener: String?
    @Option(name: .customLong("metrics-listen"), help: "Address of the Prometheus /metrics endpoint. [BROKER_METRICS_LISTEN]")
    var metricsListen: String?
    @Option(name: .customLong("auto-create-topics"), help: "Create unknown topics on Metadata requests: true or false. [BROKER_AUTO_CREATE_TOPICS]")
    var autoCreateTopics: Bool?
    @Option(name: .customLong("default-partitions"), help: "Partitions of auto-created topics. [BROKER_DEFAULT_PARTITIONS]")
    var defaultPartitions: Int32?
    @Option(name: .customLong("retention-ms"), help: "Default retention.ms (-1 keeps forever). [BROKER_RETENTION_MS]")
    var retentionMs: Int64?
    @Option(name: .customLong("retention-bytes"), help: "Default retention.bytes per partition (-1: no limit). [BROKER_RETENTION_BYTES]")
    var retentionBytes: Int64?
    @Option(name: .customLong("segment-bytes"), help: "Default segment.bytes. [BROKER_SEGMENT_BYTES]")
    var segmentBytes: Int64?
    @Option(name: .customLong("max-message-bytes"), help: "Default max.message.bytes (largest batch). [BROKER_MAX_MESSAGE_BYTES]")
    var maxMessageBytes: Int?
    @Option(name: .customLong("flush-messages"), help: "Default flush.messages: 1 fsyncs every append, even for acks=1. [BROKER_FLUSH_MESSAGES]")
    var flushMessages: Int64?
    @Option(name: .customLong("flush-ms"), help: "Default flush.ms: background fsync interval. [BROKER_FLUSH_MS]")
    var flushMs: Int64?
    @Option(name: .customLong("max-frame-bytes"), help: "Largest request frame; larger ones close the connection. [BROKER_MAX_FRAME_BYTES]")
    var maxFrameBytes: Int?
    @Option(name: .customLong("idle-timeout-ms"), help: "Close connections idle this long. [BROKER_IDLE_TIMEOUT_MS]")
    var idleTimeoutMs: Int64?
    @Option(name: .customLong("max-connections"), help: "Connections beyond this are refused. [BROKER_MAX_CONNECTIONS]")
    var maxConnections: Int?
    @Option(name: .customLong("group-min-session-timeout-ms"), help: "Smallest session timeout a consumer may ask for. [BROKER_GROUP_MIN_SESSION_TIMEOUT_MS]")
    var groupMinSessionTimeoutMs: Int32?
    @Option(name: .customLong("group-max-session-timeout-ms"), help: "Largest session timeout a consumer may ask for. [BROKER_GROUP_MAX_SESSION_TIMEOUT_MS]")
    var groupMaxSessionTimeoutMs: Int32?
    @Option(name: .customLong("group-initial-rebalance-delay-ms"), help: "Wait for more members before the first rebalance of an empty group. [BROKER_GROUP_INITIAL_REBALANCE_DELAY_MS]")
    var groupInitialRebalanceDelayMs: Int64?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. [BROKER_LOG_LEVEL]")
    var logLevel: String?

    static func main() async {
        // Request handling runs on the connection's event loop: a produce is decoded, appended and
        // answered on the thread that read it, with no hop to the cooperative pool and back (two
        // thread wake-ups per request, most of a lone request's latency on 2 cores). Nothing on this
        // path blocks: fsyncs run on LogStore's own sync threads.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Self.main(nil)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func value<T>(_ flag: T?, _ name: String, _ parse: (String) -> T?) throws -> T? {
            if let flag { return flag }
            guard let text = environment[name] else { return nil }
            guard let parsed = parse(text) else { throw ValidationError("\(name)=\(text) is not valid") }
            return parsed
        }
        func address(_ text: String?, _ what: String) throws -> (host: String, port: Int)? {
            guard let text else { return nil }
            guard let parsed = BrokerConfig.parseAddress(text) else { throw ValidationError("\(what) '\(text)' is not HOST:PORT") }
            return parsed
        }

        var config = BrokerConfig()
        if let listen = try address(try value(listen, "BROKER_LISTEN", { $0 }), "--listen") {
            (config.listenHost, config.listenPort) = listen
        }
        if let dataDir = try value(dataDir, "BROKER_DATA_DIR", { $0 }) { config.dataDirectory = dataDir }
        if let nodeId = try value(nodeId, "BROKER_NODE_ID", { Int32($0) }) { config.nodeId = nodeId }
        if let advertised = try address(try value(advertisedListener, "BROKER_ADVERTISED_LISTENER", { $0 }), "--advertised-listener") {
            config.advertisedHost = advertised.host
            config.advertisedPort = advertised.port
        }
        if let metrics = try address(try value(metricsListen, "BROKER_METRICS_LISTEN", { $0 }), "--metrics-listen") {
            (config.metricsHost, config.metricsPort) = metrics
        }
        if let auto = try value(autoCreateTopics, "BROKER_AUTO_CREATE_TOPICS", { Bool($0) }) { config.autoCreateTopics = auto }
        if let partitions = try value(defaultPartitions, "BROKER_DEFAULT_PARTITIONS", { Int32($0) }) {
            guard partitions > 0 else { throw ValidationError("--default-partitions must be positive") }
            config.defaultPartitions = partitions
        }
        var topicDefaults = TopicConfig()
        let topicSettings: [(String, String?)] = [
            ("retention.ms", try value(retentionMs.map(String.init), "BROKER_RETENTION_MS", { $0 })),
            ("retention.bytes", try value(retentionBytes.map(String.init), "BROKER_RETENTION_BYTES", { $0 })),
            ("segment.bytes", try value(segmentBytes.map(String.init), "BROKER_SEGMENT_BYTES", { $0 })),
            ("max.message.bytes", try value(maxMessageBytes.map(String.init), "BROKER_MAX_MESSAGE_BYTES", { $0 })),
            ("flush.messages", try value(flushMessages.map(String.init), "BROKER_FLUSH_MESSAGES", { $0 })),
            ("flush.ms", try value(flushMs.map(String.init), "BROKER_FLUSH_MS", { $0 })),
        ]
        for (name, setting) in topicSettings {
            guard let setting else { continue }
            do { try topicDefaults.set(name, to: setting) } catch { throw ValidationError("\(error)") }
        }
        config.topicDefaults = topicDefaults
        if let bytes = try value(maxFrameBytes, "BROKER_MAX_FRAME_BYTES", { Int($0) }) { config.maximumFrameBytes = bytes }
        if let idle = try value(idleTimeoutMs, "BROKER_IDLE_TIMEOUT_MS", { Int64($0) }) { config.idleTimeoutMilliseconds = idle }
        if let limit = try value(maxConnections, "BROKER_MAX_CONNECTIONS", { Int($0) }) { config.maximumConnections = limit }
        if let low = try value(groupMinSessionTimeoutMs, "BROKER_GROUP_MIN_SESSION_TIMEOUT_MS", { Int32($0) }) { config.groupMinSessionTimeoutMs = low }
        if let high = try value(groupMaxSessionTimeoutMs, "BROKER_GROUP_MAX_SESSION_TIMEOUT_MS", { Int32($0) }) { config.groupMaxSessionTimeoutMs = high }
        if let delay = try value(groupInitialRebalanceDelayMs, "BROKER_GROUP_INITIAL_REBALANCE_DELAY_MS", { Int64($0) }) {
            config.groupInitialRebalanceDelayMs = delay
        }
        let levelName = try value(logLevel, "BROKER_LOG_LEVEL", { $0 }) ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("log level '\(levelName)' is not one of trace, debug, info, notice, warning, error, critical")
        }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "broker")
        let runtime = try await BrokerRuntime.start(config: config, logger: logger)
        await waitForTerminationSignal()
        await runtime.shutdown()
    }
}

/// Suspends until SIGTERM or SIGINT arrives.
func waitForTerminationSignal() async {
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let queue = DispatchQueue(label: "broker.signals")
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumed = NSLock()
        nonisolated(unsafe) var done = false
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                resumed.lock()
                defer { resumed.unlock() }
                guard !done else { return }
                done = true
                continuation.resume()
            }
            source.resume()
            sources.append(source)
        }
        // The sources must outlive this closure; the process ends after shutdown anyway.
        signalSources = sources
    }
}

nonisolated(unsafe) private var signalSources: [DispatchSourceSignal] = []
