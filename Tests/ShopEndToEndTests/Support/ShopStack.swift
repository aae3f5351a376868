import AsyncHTTPClient
import Foundation
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// The whole shop as `shop up` runs it (broker, config, discovery, IAM, the six domain services, the gateway),
/// as real child processes on loopback, with its own temporary data directory and a free port offset.
/// Driven through the gateway only. `stop()` sends SIGTERM to `shop up` (which stops its children in reverse
/// order), SIGKILLs what is left after a grace period, and removes the data directory.
final class ShopStack: Sendable {
    let label: String
    let offset: Int
    let dataDirectory: String
    let settings: [String: String]
    private let process: Process
    private let exit: ProcessExit
    private let lines = Mutex<[String]>([])
    private let adminToken = Mutex<String?>(nil)
    private let startedAt = ContinuousClock.now
    private let startup = Mutex<Duration>(.zero)
    /// How long `start` took until "all ready".
    var startupTime: Duration { startup.withLock { $0 } }

    static let adminEmail = "admin@shop.local"
    static let adminPassword = "e2e-admin-password-Quite-Long-1"

    var gatewayURL: String { "http://127.0.0.1:\(8080 + offset)" }
    var gateway: EnvelopeClient { EnvelopeClient(baseURL: gatewayURL) }
    var brokerBootstrap: String { "127.0.0.1:\(9092 + offset)" }
    var isRunning: Bool { !exit.hasExited }

    /// Settings every stack of this suite runs with: short saga timings, loose rate limits (fifty buyers
    /// register and log in at once from one address).
    static let baseSettings: [String: String] = [
        "LOG_LEVEL": "info",
        "LOG_FORMAT": "text",
        "IAM_ADMIN_EMAIL": adminEmail,
        "IAM_ADMIN_PASSWORD": adminPassword,
        "IAM_ACCESS_TOKEN_TTL_SECONDS": "3600",
        "IAM_LOGIN_RATE_BURST": "100000",
        "IAM_LOGIN_RATE_PER_MINUTE": "1000000",
        "GATEWAY_AUTH_RATE_BURST": "100000",
        "GATEWAY_AUTH_RATE_PER_MINUTE": "10000000",
        "GATEWAY_RATE_BURST": "100000",
        "GATEWAY_RATE_PER_MINUTE": "10000000",
        // tok_timeout holds POST /payments/initiate for PSP_CALL_TIMEOUT_MS.
        "GATEWAY_UPSTREAM_TIMEOUT_MS": "40000",
        "ORDER_RESERVATION_REPLY_TIMEOUT_SECONDS": "2",
        "ORDER_DEADLINE_POLL_MS": "200",
        "ORDER_REFUND_RETRY_SECONDS": "1",
        "ORDER_REFUND_MAX_ATTEMPTS": "2",
        "ORDER_SHIPMENT_RETRY_SECONDS": "1",
        "ORDER_SHIPMENT_MAX_ATTEMPTS": "2",
        "INVENTORY_EXPIRY_SWEEP_MS": "200",
        "PAYMENT_RECONCILE_INTERVAL_MS": "200",
    ]

    private init(label: String, offset: Int, dataDirectory: String, settings: [String: String], process: Process, exit: ProcessExit) {
        self.label = label
        self.offset = offset
        self.dataDirectory = dataDirectory
        self.settings = settings
        self.process = process
        self.exit = exit
    }

    /// Starts `shop up` (optionally `--only` a subset) with `settings` over `baseSettings` and waits, bounded,
    /// for "all ready". On failure the stack is stopped and the error carries the tail of its output.
    static func start(label: String, settings: [String: String] = [:], only: [String]? = nil) async throws -> ShopStack {
        let dataDirectory = NSTemporaryDirectory() + "shop-e2e-\(label)-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let offset = PortOffsets.reserve()
        var environment = ProcessInfo.processInfo.environment
        // The shipped sample configuration, wherever the tests run from; the environment wins over it.
        environment["CONFIG_REPO_DIR"] = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config-repo").path
        for (key, value) in baseSettings { environment[key] = value }
        for (key, value) in settings { environment[key] = value }
        environment.removeValue(forKey: "SERVICE_CLIENT_ID")
        environment.removeValue(forKey: "IAM_SERVICE_CLIENTS")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServiceProcess.shopBinaryPath)
        var arguments = ["up", "--data-dir", dataDirectory, "--port-offset", String(offset), "--ready-timeout", "150"]
        if let only { arguments += ["--only", only.joined(separator: ",")] }
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let exit = ProcessExit(watching: process)
        let stack = ShopStack(label: label, offset: offset, dataDirectory: dataDirectory, settings: settings,
                              process: process, exit: exit)
        output.fileHandleForReading.readabilityHandler = { [weak stack] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            stack?.feed(data)
        }
        let began = ContinuousClock.now
        try process.run()
        let deadline = ContinuousClock.now + .seconds(240)
        var ready = false
        while ContinuousClock.now < deadline, !exit.hasExited {
            if stack.lines.withLock({ $0.contains { $0.contains("all ready") } }) { ready = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        stack.startup.withLock { $0 = ContinuousClock.now - began }
        guard ready else {
            let tail = stack.logTail(80)
            await stack.stop()
            throw StackError.notReady(label: label, exited: exit.hasExited, tail: tail)
        }
        print("[e2e] stack \(label) ready on offset \(offset) in \(stack.startupTime)")
        return stack
    }

    private let partial = Mutex<String>("")

    /// Output of `shop up`, split into lines (a partial last line waits for the next chunk); the newest
    /// 15,000–20,000 lines are kept.
    private func feed(_ data: Data) {
        let complete = partial.withLock { pending -> [String] in
            pending += String(decoding: data, as: UTF8.self)
            var parts = pending.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            pending = parts.removeLast()
            return parts
        }
        lines.withLock { lines in
            lines.append(contentsOf: complete)
            if lines.count > 20_000 { lines.removeFirst(lines.count - 15_000) }
        }
    }

    /// The last `count` lines `shop up` printed (every process's log, prefixed with its name).
    func logTail(_ count: Int = 60, matching filter: String? = nil) -> String {
        lines.withLock { lines in
            let selected = filter.map { f in lines.filter { $0.contains(f) } } ?? lines
            return selected.suffix(count).joined(separator: "\n")
        }
    }

    /// What a failed scenario reports: `shop up`'s own lines (exits, restarts), the processes' errors and
    /// crashes, then the newest lines of all.
    func failureReport(last count: Int = 40) -> String {
        lines.withLock { lines in
            let supervisor = lines.filter { $0.hasPrefix("shop ") }.suffix(15)
            let errors = lines.filter { $0.contains(" error ") || $0.contains("critical") || $0.contains("Fatal error") }.suffix(15)
            return "--- shop up's own lines (\(label)) ---\n" + supervisor.joined(separator: "\n")
                + "\n--- errors (\(label)) ---\n" + errors.joined(separator: "\n")
                + "\n--- last lines of shop up (\(label)) ---\n" + lines.suffix(count).joined(separator: "\n")
        }
    }

    /// The live process serving `name` on this stack (found in /proc by its command line, `shop serve <name>`,
    /// and its port), so a process `shop up` restarted is found too.
    func pid(of name: String) -> Int32? {
        StackProcesses.pid(of: name, portOffset: offset)
    }

    /// The client-credentials clients `shop up` wrote (`<ID>_CLIENT_ID` / `_SECRET`).
    func serviceClient(_ prefix: String) throws -> (id: String, secret: String) {
        let text = try String(contentsOfFile: dataDirectory + "/service-clients.properties", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let id = values["\(prefix)_CLIENT_ID"], let secret = values["\(prefix)_CLIENT_SECRET"] else {
            throw StackError.missing("\(prefix) client in service-clients.properties")
        }
        return (id, secret)
    }

    /// The admin's access token (logged in once per stack).
    func admin() async throws -> String {
        if let token = adminToken.withLock({ $0 }) { return token }
        let answer = try await gateway.send(.POST, "/auth/login", json: ["email": .string(Self.adminEmail), "password": .string(Self.adminPassword)])
        guard answer.status == 200, let token = answer.data?["accessToken"]?.stringValue else {
            throw StackError.unexpected("admin login", answer.status, answer.text)
        }
        adminToken.withLock { $0 = token }
        return token
    }

    /// SIGTERM to `shop up` (it stops every child in reverse order), SIGKILL after 30 s, then the data
    /// directory is removed. Children exit on their own when `shop up` is gone (SHOP_UP_PID).
    func stop() async {
        if !exit.hasExited {
            process.terminate()
            if !(await exit.wait(within: .seconds(30))) {
                kill(process.processIdentifier, SIGKILL)
                _ = await exit.wait(within: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        PortOffsets.release(offset)
        print("[e2e] stack \(label) stopped after \(ContinuousClock.now - startedAt)")
    }
}

enum StackError: Error, CustomStringConvertible {
    case notReady(label: String, exited: Bool, tail: String)
    case missing(String)
    case unexpected(String, Int, String)

    var description: String {
        switch self {
        case .notReady(let label, let exited, let tail):
            "shop up (\(label)) did not print \"all ready\" (exited: \(exited)); its last lines:\n\(tail)"
        case .missing(let what): "missing: \(what)"
        case .unexpected(let what, let status, let body): "\(what): unexpected \(status) \(body.prefix(600))"
        }
    }
}

/// Port offsets handed to the stacks of this process: multiples of 2000 (the seed ports span 8080–9644, so
/// two offsets never overlap), each checked free on every port of the stack.
enum PortOffsets {
    private static let taken = Mutex<Set<Int>>([])

    static func reserve() -> Int {
        let seeds = ServiceCatalogue.entries.map(\.port) + [ServiceCatalogue.brokerMetricsPort]
        for _ in 0..<200 {
            let offset = 2000 * Int.random(in: 6...25)
            let fresh = taken.withLock { $0.insert(offset).inserted }
            guard fresh else { continue }
            if seeds.allSatisfy({ isFree($0 + offset) }) { return offset }
            taken.withLock { _ = $0.remove(offset) }
        }
        return 2000 * Int.random(in: 6...25)
    }

    static func release(_ offset: Int) {
        taken.withLock { _ = $0.remove(offset) }
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

// MARK: - One stack per suite (Swift Testing's TestScoping)

/// A suite trait that starts one `ShopStack` for all the tests of the suite (they run in parallel against
/// it, each with its own users, products and warehouse), hands it to them in a task-local, and stops it
/// when the last test is done.
struct StackTrait: SuiteTrait, TestScoping {
    let label: String
    let settings: [String: String]
    let only: [String]?
    var isRecursive: Bool { false }

    @TaskLocal static var current: ShopStack?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let began = ContinuousClock.now
        let stack = try await ShopStack.start(label: label, settings: settings, only: only)
        do {
            try await Self.$current.withValue(stack) { try await function() }
        } catch {
            print("[e2e] stack \(label): \(error)\n\(stack.failureReport(last: 80))")
            await stack.stop()
            throw error
        }
        await stack.stop()
        print("[e2e] suite on stack \(label) took \(ContinuousClock.now - began)")
    }
}

extension Trait where Self == StackTrait {
    static func shopStack(_ label: String, settings: [String: String] = [:], only: [String]? = nil) -> StackTrait {
        StackTrait(label: label, settings: settings, only: only)
    }
}

/// Runs one scenario on the suite's stack; an error it throws is recorded with the stack's last log lines.
func onStack(sourceLocation: SourceLocation = #_sourceLocation, _ body: (ShopStack, ShopClient) async throws -> Void) async throws {
    let stack = try #require(StackTrait.current, "no stack: the suite needs the .shopStack trait")
    let client = ShopClient(stack: stack)
    let began = ContinuousClock.now
    do {
        try await body(stack, client)
    } catch {
        Issue.record("\(error)\n\(stack.failureReport())", sourceLocation: sourceLocation)
    }
    print("[e2e] \(Test.current?.name ?? "?") on \(stack.label): \(ContinuousClock.now - began)")
}
