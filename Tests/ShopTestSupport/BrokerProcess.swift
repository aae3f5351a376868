import BrokerClient
import Foundation

/// A real `broker` process on a free loopback port with its own data directory, for tests of the
/// client. The binary is built next to the test bundle by `swift build --build-tests`.
public final class BrokerProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards; Process itself is thread-safe.
    public let port: Int
    public let dataDirectory: String
    private let process: Process
    private let exit: ProcessExit
    public var bootstrap: String { "127.0.0.1:\(port)" }
    public var pid: Int32 { process.processIdentifier }

    public static var binaryPath: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("broker").path
    }

    public static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public init(port: Int? = nil, dataDirectory: String? = nil, extraArguments: [String] = []) async throws {
        let port = port ?? Self.freePort()
        let dataDirectory = dataDirectory ?? NSTemporaryDirectory() + "/client-tests-" + UUID().uuidString
        self.port = port
        self.dataDirectory = dataDirectory
        // A port picked as free can be taken by someone else before the broker binds it (the metrics port is
        // picked here, and a test's own port may have been picked a while ago): a broker that exits at once is
        // started again, a few times, before the test is told.
        var lastExit = "none"
        for _ in 0..<5 {
            switch try await Self.launch(port: port, dataDirectory: dataDirectory, extraArguments: extraArguments) {
            case .ready(let process, let exit):
                self.process = process
                self.exit = exit
                return
            case .exited(let status):
                lastExit = String(status)
                try await Task.sleep(for: .milliseconds(200))
            case .timedOut:
                throw BrokerClientError.connectionFailed(address: "127.0.0.1:\(port)", reason: "the broker did not answer within 90 s")
            }
        }
        throw BrokerClientError.connectionFailed(address: "127.0.0.1:\(port)",
                                                 reason: "the broker exited at start five times (last status \(lastExit)): is \(Self.binaryPath) built, is the port taken?")
    }

    private enum Launch {
        case ready(Process, ProcessExit)
        case exited(Int32)
        case timedOut
    }

    private static func launch(port: Int, dataDirectory: String, extraArguments: [String]) async throws -> Launch {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binaryPath)
        // BROKER_TEST_LOGS=<directory>: keep the broker's output, at debug level, in
        // <directory>/broker-<port>.log (appended across restarts) to chase a flaky test.
        let logDirectory = ProcessInfo.processInfo.environment["BROKER_TEST_LOGS"]
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory,
                             "--metrics-listen", "127.0.0.1:\(freePort())",
                             "--log-level", logDirectory == nil ? "warning" : "debug"] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if let logDirectory {
            let path = URL(fileURLWithPath: logDirectory).appendingPathComponent("broker-\(port).log").path
            try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            if let log = FileHandle(forWritingAtPath: path) {
                log.seekToEndOfFile()
                process.standardOutput = log
                process.standardError = log
            }
        }
        let exit = ProcessExit(watching: process)
        try process.run()
        // Ready when it answers ApiVersions. Generous: at the start of a run dozens of brokers and services
        // start at once on two cores.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let connection = try? await BrokerConnection.connect(host: "127.0.0.1", port: port, clientId: "probe", timeout: .seconds(1)) {
                await connection.close()
                return .ready(process, exit)
            }
            if exit.hasExited { return .exited(process.terminationStatus) }
            try await Task.sleep(for: .milliseconds(20))
        }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await exit.wait()
        return .timedOut
    }

    /// SIGKILL, keeping the data directory (a crash). Returns once the process is gone (after SIGKILL
    /// that takes milliseconds, so the short wait may block).
    public func kill() {
        guard !exit.hasExited else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = exit.blockingWait(within: .seconds(10))
    }

    /// A new broker process on the same port and data directory (after `kill()` or `halt()`): the
    /// broker coming back after a crash or an outage, at the address clients already know.
    public func restarted(extraArguments: [String] = []) async throws -> BrokerProcess {
        kill()
        return try await BrokerProcess(port: port, dataDirectory: dataDirectory, extraArguments: extraArguments)
    }

    /// Whether the process is still running.
    public var isRunning: Bool { !exit.hasExited }

    /// SIGTERM and wait for the exit without blocking a thread; SIGKILL if it has not exited within `grace`.
    /// Keeps the data directory (a clean stop the test restarts from).
    public func stopAndWait(grace: Duration = .seconds(10)) async {
        guard !exit.hasExited else { return }
        process.terminate()
        if !(await exit.wait(within: grace)) {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await exit.wait()
        }
    }

    /// For `defer`: SIGTERM now; SIGKILL after `grace` if the broker still runs (one waiting on a client's
    /// open connection must not outlive the tests); then the data directory is removed. Returns at once,
    /// waiting on a thread of its own rather than the cooperative pool.
    public func shutdown(grace: Duration = .seconds(5)) {
        let dataDirectory = dataDirectory
        ProcessExit.terminateInBackground(process, exit: exit, grace: grace) {
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
    }

    /// `shutdown` with a longer grace.
    public func stop() {
        shutdown(grace: .seconds(30))
    }
}
