import Foundation

/// A Kafka-protocol cluster not written here: librdkafka's mock cluster (Debian's librdkafka-dev), held by
/// the small C program `compat/mockcluster/mockcluster.c`, which this type compiles once per test process
/// and drives over its stdin: move partition leaders, take brokers down and up, move group coordinators,
/// inject request errors. Broker ids are 1...brokers.
public final class MockCluster: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set once in init; every command goes through `lock`, so one
    // command's line and its answer are never interleaved with another's.
    public private(set) var bootstrap = ""
    public let brokers: Int
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let lock = NSLock()
    private var pending = Data()

    /// The harness's source, found from this file's place in the repository.
    public static var sourcePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("compat/mockcluster/mockcluster.c").path
    }

    /// The compiled harness (compiled on first use into a temporary directory of this process).
    public static func binaryPath() throws -> String { try compiled.get() }

    private static let compiled: Result<String, MockClusterError> = {
        let directory = NSTemporaryDirectory() + "/mockcluster-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(MockClusterError(what: "cannot create \(directory): \(error)"))
        }
        let binary = directory + "/mockcluster"
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["clang", "-O1", "-o", binary, sourcePath, "-lrdkafka"]
        let errors = Pipe()
        compiler.standardError = errors
        compiler.standardOutput = FileHandle.nullDevice
        do {
            try compiler.run()
        } catch {
            return .failure(MockClusterError(what: "cannot run clang (it comes with the Swift toolchain): \(error)"))
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        compiler.waitUntilExit()
        guard compiler.terminationStatus == 0 else {
            return .failure(MockClusterError(what: "clang \(sourcePath) failed (is librdkafka-dev installed? scripts/setup.sh installs it): "
                                                + String(decoding: message, as: UTF8.self)))
        }
        return .success(binary)
    }()

    /// Starts a cluster of `brokers` brokers and waits for its bootstrap list.
    public init(brokers: Int = 3) throws {
        self.brokers = brokers
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments = ["\(brokers)"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        try process.run()
        let first = try readLine()
        guard first.hasPrefix("bootstrap ") else {
            stop()
            throw MockClusterError(what: "mockcluster started with '\(first)' instead of its bootstrap list")
        }
        bootstrap = String(first.dropFirst("bootstrap ".count))
    }

    deinit { stop() }

    /// Moves the leader of `topic`-`partition` to `broker` (the mock copies no data: it has one log per partition).
    public func setLeader(topic: String, partition: Int32, broker: Int32) throws { try command("leader \(topic) \(partition) \(broker)") }
    /// Creates a topic (the mock serves no CreateTopics before librdkafka 2.x's newer releases).
    public func createTopic(_ topic: String, partitions: Int, replicationFactor: Int = 1) throws {
        try command("create \(topic) \(partitions) \(replicationFactor)")
    }
    /// Closes the broker's connections and refuses new ones until `up`.
    public func down(broker: Int32) throws { try command("down \(broker)") }
    public func up(broker: Int32) throws { try command("up \(broker)") }
    /// Moves consumer group `group`'s coordinator.
    public func setCoordinator(group: String, broker: Int32) throws { try command("coordinator \(group) \(broker)") }
    /// The next requests of API `apiKey` fail with `codes`, one each, in order, whichever broker gets them.
    public func pushErrors(apiKey: Int16, _ codes: [Int16]) throws {
        try command("errors \(apiKey) " + codes.map(String.init).joined(separator: " "))
    }

    /// Stops the cluster (idempotent).
    public func stop() {
        guard process.isRunning else { return }
        try? input.write(contentsOf: Data("quit\n".utf8))
        try? input.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func command(_ line: String) throws {
        try lock.withLock {
            guard process.isRunning else { throw MockClusterError(what: "mockcluster is not running (command '\(line)')") }
            try input.write(contentsOf: Data((line + "\n").utf8))
            let answer = try readLine()
            guard answer == "ok" else { throw MockClusterError(what: "mockcluster '\(line)': \(answer)") }
        }
    }

    /// One line of the harness's output. Its answers come at once (they are in-memory changes), so the
    /// blocking read is short.
    private func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                return line
            }
            let chunk = output.availableData
            guard !chunk.isEmpty else { throw MockClusterError(what: "mockcluster exited") }
            pending.append(chunk)
        }
    }
}

public struct MockClusterError: Error, CustomStringConvertible {
    public var what: String
    public var description: String { what }
}
