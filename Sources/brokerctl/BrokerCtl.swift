import ArgumentParser
import BrokerClient
import KafkaWire
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `brokerctl`: the admin and test CLI of the broker (modelled on Redpanda's rpk and on kcat).
@main
struct BrokerCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokerctl",
        abstract: "Administer and exercise a Kafka-wire-compatible broker: cluster, topics, records, groups, benchmarks.",
        discussion: """
            Every command prints human-readable tables by default and JSON with --json.

            EXIT CODES
              0  success
              1  the broker or the operation failed (cannot connect, unknown topic,
                 group has active members, records not acknowledged, ...)
              2  usage error (unknown command or option, missing or invalid value)

            ENVIRONMENT
              BROKERCTL_BOOTSTRAP  HOST:PORT[,HOST:PORT...] of the broker when
                                   --bootstrap is not given
                                   (default \(CommonOptions.defaultBootstrap)).

            EXAMPLES
              brokerctl topic create orders --partitions 3 --config retention.ms=86400000
              printf 'k1:v1\\nk2:v2\\n' | brokerctl produce orders --key-separator :
              brokerctl consume orders --from-beginning -e --format '%p/%o %k=%s\\n'
              brokerctl group describe billing --json
              brokerctl bench produce --topic bench --records 500000 --record-size 100
            """,
        version: "1.0.0",
        subcommands: [
            ClusterCommand.self, TopicCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupCommand.self,
            BenchCommand.self,
        ])

    /// Parses and runs like ArgumentParser's own `main`, but maps usage errors to exit code 2 and
    /// broker or operation errors to 1, each with a message that says what to do.
    static func main() async {
        // Swift concurrency runs on NIO's event loops: a producer's sends, its sender and the answers
        // it settles stay on the connection's thread instead of hopping to the cooperative pool and
        // back (each hop is a thread wake-up: most of the latency of a lone record on 2 cores).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let code: Int32
        do {
            var command = try parseAsRoot(GlobalOptions.reordered(Array(CommandLine.arguments.dropFirst()), root: BrokerCtl.self))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = 0
        } catch {
            code = report(error)
        }
        terminate(code)
    }

    static func report(_ error: Error) -> Int32 {
        switch error {
        case let failure as CtlError:
            Output.error("error: \(failure.message)")
            if case .usage = failure { Output.error("See 'brokerctl --help' or 'brokerctl <command> --help'.") }
            return failure.exitCode
        case let clientError as BrokerClientError:
            return report(CtlError(clientError))
        default:
            let exitCode = Self.exitCode(for: error)
            let message = Self.fullMessage(for: error)
            if exitCode == .success {
                if !message.isEmpty { Output.line(message) }
                return 0
            }
            if !message.isEmpty { Output.error(message) }
            // ArgumentParser reports usage problems as EX_USAGE (64); scripts get the conventional 2.
            return exitCode == .validationFailure ? CtlError.usageExitCode : exitCode.rawValue
        }
    }
}

// MARK: - Errors

/// What went wrong, phrased for the operator, with the exit code scripts rely on.
enum CtlError: Error, CustomStringConvertible {
    /// Exit code 2: the command line is wrong.
    case usage(String)
    /// Exit code 1: the broker refused or could not be reached, or the operation failed.
    case failed(String)

    static let usageExitCode: Int32 = 2
    static let failureExitCode: Int32 = 1

    var message: String {
        switch self {
        case .usage(let text), .failed(let text): text
        }
    }

    var description: String { message }

    var exitCode: Int32 {
        switch self {
        case .usage: Self.usageExitCode
        case .failed: Self.failureExitCode
        }
    }

    /// Client errors with the hint that fixes them.
    init(_ error: BrokerClientError) {
        switch error {
        case .connectionFailed(let address, let reason):
            self = .failed("cannot connect to \(address): is the broker running? set --bootstrap or BROKERCTL_BOOTSTRAP"
                           + " (\(CtlError.shortReason(reason)))")
        case .connectionClosed(let address):
            self = .failed("the connection to \(address) closed unexpectedly: did the broker stop? (check its log)")
        case .timedOut(let operation, let address):
            self = .failed("\(operation) to \(address) timed out: is the broker overloaded, or is --bootstrap pointing at something that is not a broker?")
        case .invalidAddress(let text):
            self = .usage("'\(text)' is not HOST:PORT: fix --bootstrap or BROKERCTL_BOOTSTRAP")
        case .broker(let code, _):
            let hint: String
            switch code {
            case .unknownTopicOrPartition: hint = " (no such topic or partition; see `brokerctl topic list`)"
            case .topicAlreadyExists: hint = " (the topic already exists; add --if-not-exists to ignore this)"
            case .invalidPartitions: hint = " (--partitions must be at least 1)"
            case .invalidConfig: hint = " (check the --config names and values)"
            case .coordinatorNotAvailable, .coordinatorLoadInProgress, .notCoordinator: hint = " (the group coordinator is not ready; retry in a moment)"
            case .messageTooLarge, .recordListTooLarge: hint = " (the record is larger than the topic's max.message.bytes)"
            default: hint = ""
            }
            self = .failed(error.description + hint)
        case .unsupportedApi(let key, _):
            // Not every Kafka-protocol cluster serves every API to clients (librdkafka's mock cluster has no
            // CreateTopics, DeleteTopics, ListGroups or DescribeGroups; some managed clusters create topics
            // only through their own console).
            self = .failed(error.description + " (this cluster does not offer \(key) to clients; use the cluster's own tools for it)")
        case .malformedResponse, .invalidRequest, .shutDown:
            self = .failed(error.description)
        }
    }

    /// "Connection refused" rather than NIO's full error dump.
    static func shortReason(_ reason: String) -> String {
        let lower = reason.lowercased()
        if lower.contains("connection refused") { return "connection refused" }
        if lower.contains("timeout") || lower.contains("timed out") { return "connection timed out" }
        if lower.contains("resolution") || lower.contains("getaddrinfo") || lower.contains("name or service") {
            return "host name could not be resolved"
        }
        if lower.contains("network is unreachable") { return "network is unreachable" }
        if lower.contains("no broker reachable") { return "no broker reachable" }
        return reason.count > 160 ? String(reason.prefix(160)) + "..." : reason
    }

    /// Any error thrown while talking to the broker, as a CtlError.
    static func wrap(_ error: Error) -> Error {
        switch error {
        case let clientError as BrokerClientError: CtlError(clientError)
        case is CtlError: error
        default: error
        }
    }
}

// MARK: - Options shared by every command

struct CommonOptions: ParsableArguments {
    static let defaultBootstrap = "127.0.0.1:9092"

    @Option(name: [.customShort("b"), .long],
            help: ArgumentHelp("Broker address HOST:PORT (comma-separated for several). Default: $BROKERCTL_BOOTSTRAP or \(CommonOptions.defaultBootstrap).",
                               valueName: "host:port"))
    var bootstrap: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds to wait for each broker answer.", valueName: "seconds"))
    var timeoutSeconds: Int = 30

    func validate() throws {
        guard timeoutSeconds > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var bootstrapAddress: String {
        if let bootstrap { return bootstrap }
        if let fromEnvironment = getenv("BROKERCTL_BOOTSTRAP") {
            let value = String(cString: fromEnvironment).trimmingWhitespace
            if !value.isEmpty { return value }
        }
        return Self.defaultBootstrap
    }

    func makeCluster() throws(CtlError) -> BrokerCluster {
        do {
            return try BrokerCluster(bootstrap: [bootstrapAddress], clientId: "brokerctl",
                                     requestTimeout: .seconds(timeoutSeconds))
        } catch {
            throw CtlError(error)
        }
    }

    /// Runs `body` with a cluster client, shuts the client down afterwards, and turns client errors
    /// into operator-facing ones.
    func withCluster<T>(_ body: (BrokerCluster) async throws -> T) async throws -> T {
        let cluster = try makeCluster()
        do {
            let result = try await body(cluster)
            await cluster.shutdown()
            return result
        } catch {
            await cluster.shutdown()
            throw CtlError.wrap(error)
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// "key=value" split at the first "=".
    func splitKeyValue() -> (key: String, value: String)? {
        guard let equals = firstIndex(of: "=") else { return nil }
        let key = String(self[..<equals])
        guard !key.isEmpty else { return nil }
        return (key, String(self[index(after: equals)...]))
    }
}

/// Milliseconds since the epoch, now.
func wallClockMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var inMilliseconds: Double { inSeconds * 1000 }
}

/// Ends the process with `code` (the C library's exit, not ArgumentParser's).
func terminate(_ code: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(code)
    #else
    Darwin.exit(code)
    #endif
}

extension Error {
    /// The Kafka error code of a broker error, if this is one.
    var brokerCode: KafkaErrorCode? {
        guard case .broker(let code, _)? = self as? BrokerClientError else { return nil }
        return code
    }
}
