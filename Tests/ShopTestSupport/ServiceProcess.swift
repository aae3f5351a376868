import Foundation

/// A real `shop serve <service>` process on a free loopback port, with its own environment, for
/// end-to-end tests over HTTP. The binary is built next to the test bundle by `swift build --build-tests`.
public final class ServiceProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init and only read afterwards; Process itself is thread-safe.
    public let port: Int
    public let environment: [String: String]
    private let process: Process
    private let exit: ProcessExit
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var pid: Int32 { process.processIdentifier }

    public static var shopBinaryPath: String {
        URL(fileURLWithPath: BrokerProcess.binaryPath).deletingLastPathComponent().appendingPathComponent("shop").path
    }

    /// Starts `shop serve <service>` and waits (bounded) until `/health/live` answers 200.
    public init(service: String, port: Int? = nil, environment: [String: String], logFile: String? = nil) async throws {
        self.port = port ?? BrokerProcess.freePort()
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        env["PORT"] = String(self.port)
        env["HOST"] = "127.0.0.1"
        self.environment = env
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.shopBinaryPath)
        process.arguments = ["serve", service]
        process.environment = env
        if let logFile, FileManager.default.createFile(atPath: logFile, contents: nil), let handle = FileHandle(forWritingAtPath: logFile) {
            process.standardError = handle
            process.standardOutput = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        exit = ProcessExit(watching: process)
        try process.run()
        // Generous: at the start of a run dozens of brokers and services start at once on two cores.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline, !exit.hasExited {
            if let (status, _) = try? await HTTP.get("\(baseURL)/health/live"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        let exitCode = exit.hasExited ? process.terminationStatus : nil
        await kill()
        throw ServiceProcessError.didNotStart(service: service, exitCode: exitCode)
    }

    public var isRunning: Bool { !exit.hasExited }

    /// SIGKILL: the crash case. Returns once the process is gone.
    public func kill() async {
        guard !exit.hasExited else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await exit.wait()
    }

    /// SIGTERM and wait (the graceful case); SIGKILL after a minute, so nothing is left behind.
    public func stop() async {
        if !(await terminate(within: .seconds(60))) { await kill() }
    }

    /// SIGTERM, then whether it exited within `limit` (SIGKILL after, so nothing is left behind).
    public func terminate(within limit: Duration) async -> Bool {
        guard !exit.hasExited else { return true }
        process.terminate()
        let exited = await exit.wait(within: limit)
        await kill()
        return exited
    }

    /// For `defer`: SIGTERM now, SIGKILL a few seconds later if needed, then remove `paths` (the service's
    /// data), all without waiting here.
    public func cleanUp(removing paths: [String] = []) {
        ProcessExit.terminateInBackground(process, exit: exit, grace: .seconds(10)) {
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    public var terminationStatus: Int32 { process.terminationStatus }
}

public enum ServiceProcessError: Error, CustomStringConvertible {
    case didNotStart(service: String, exitCode: Int32?)

    public var description: String {
        switch self {
        case .didNotStart(let service, let exitCode):
            "shop serve \(service) did not become live within 90 s (exit code \(exitCode.map(String.init) ?? "none, still running")); is \(ServiceProcess.shopBinaryPath) built?"
        }
    }
}

/// A liveness probe over a plain socket, so the support target needs no HTTP client; the tests
/// themselves talk to services with AsyncHTTPClient.
enum HTTP {
    static func get(_ url: String) async throws -> (Int, Data) {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw URLError(.badURL)
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return try await Task.detached {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw URLError(.cannotConnectToHost) }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw URLError(.cannotConnectToHost) }
            let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { break }
                data.append(contentsOf: buffer[0..<count])
            }
            let text = String(decoding: data.prefix(32), as: UTF8.self)
            let parts = text.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw URLError(.badServerResponse) }
            return (status, data)
        }.value
    }
}
