import Dispatch
import Foundation
import Synchronization

/// Runs git as a subprocess: the executable directly with an argument vector (no shell), a hermetic
/// environment (no inherited `GIT_*` variables, no prompts, C locale), a deadline after which the process is
/// killed, and a cap on what it may write. The blocking wait happens on a Dispatch thread, never on Swift's
/// cooperative pool.
public struct GitCommand: Sendable {
    public let executable: String
    public let timeout: Duration
    public let outputLimit: Int

    public init(executable: String, timeout: Duration = .seconds(10), outputLimit: Int = 4 << 20) {
        self.executable = executable
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// `git <location options> <arguments>`; `extraEnvironment` is added to the hermetic environment.
    /// Returns whatever the exit status; callers decide which statuses are answers and which are failures.
    public func run(_ arguments: [String], at location: GitLocation?, extraEnvironment: [String: String] = [:]) async throws -> GitOutput {
        let invocation = Invocation(
            executable: executable,
            arguments: (location?.arguments ?? []) + arguments,
            subcommand: Self.subcommand(of: arguments),
            environment: Self.environment(adding: extraEnvironment),
            timeout: timeout,
            outputLimit: outputLimit)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try invocation.runBlocking() })
            }
        }
    }

    /// `run`, but any exit status other than 0 is a `GitError.failed`.
    public func output(_ arguments: [String], at location: GitLocation?, extraEnvironment: [String: String] = [:]) async throws -> GitOutput {
        let output = try await run(arguments, at: location, extraEnvironment: extraEnvironment)
        guard output.status == 0 else {
            throw GitError.failed(subcommand: Self.subcommand(of: arguments), status: output.status, stderr: output.stderr)
        }
        return output
    }

    /// The subcommand's name, for messages: the first argument that is neither an option nor the value of
    /// `-C` or `-c`.
    static func subcommand(of arguments: [String]) -> String {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "-C" || argument == "-c" {
                index += 2
            } else if argument.hasPrefix("-") {
                index += 1
            } else {
                return argument
            }
        }
        return "(no subcommand)"
    }

    static func environment(adding extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        environment["LC_ALL"] = "C"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// The first `git` on `PATH`, for when `CONFIG_GIT_PATH` is not set.
    public static func locate(path: String?) -> String? {
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = String(directory) + "/git"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// One git process, run synchronously on the calling (Dispatch) thread.
private struct Invocation: Sendable {
    let executable: String
    let arguments: [String]
    let subcommand: String
    let environment: [String: String]
    let timeout: Duration
    let outputLimit: Int

    func runBlocking() throws -> GitOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GitError.launchFailed(executable: executable, reason: "\(error)")
        }
        let pid = process.processIdentifier
        let state = KillSwitch()

        // The deadline: kill git (and stop waiting) when it takes too long.
        let deadline = DispatchWorkItem { _ = state.kill(pid, reason: .timeout) }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: deadline)

        // stderr is drained concurrently so that a chatty git cannot block on a full pipe.
        let stderrData = DataBox()
        let stderrDone = DispatchGroup()
        stderrDone.enter()
        let stderrHandle = stderrPipe.fileHandleForReading
        DispatchQueue.global().async {
            let data = stderrHandle.readDataToEndOfFile()
            stderrData.set(data.prefix(64 << 10))
            stderrDone.leave()
        }

        var stdout = Data()
        let stdoutHandle = stdoutPipe.fileHandleForReading
        while true {
            let chunk = stdoutHandle.availableData
            if chunk.isEmpty { break }
            stdout.append(chunk)
            if stdout.count > outputLimit {
                _ = state.kill(pid, reason: .outputTooLarge)
                break
            }
        }
        process.waitUntilExit()
        state.markExited()
        deadline.cancel()
        stderrDone.wait()

        switch state.reason {
        case .timeout: throw GitError.timedOut(subcommand: subcommand, after: timeout)
        case .outputTooLarge: throw GitError.outputTooLarge(subcommand: subcommand, limit: outputLimit)
        case nil: break
        }
        let stderr = String(decoding: stderrData.value, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return GitOutput(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// Kills the process at most once and only while it has not been reaped (so a recycled pid is never hit).
private final class KillSwitch: Sendable {
    enum Reason: Sendable { case timeout, outputTooLarge }
    private struct State { var exited = false; var reason: Reason? }
    private let state = Mutex(State())

    func kill(_ pid: Int32, reason: Reason) -> Bool {
        state.withLock { state in
            guard !state.exited, state.reason == nil else { return false }
            state.reason = reason
            _ = Foundation.kill(pid, SIGKILL)
            return true
        }
    }

    func markExited() { state.withLock { $0.exited = true } }
    var reason: Reason? { state.withLock { $0.reason } }
}

/// stderr as read by the draining thread.
private final class DataBox: Sendable {
    private let data = Mutex(Data())
    func set(_ value: Data) { data.withLock { $0 = value } }
    var value: Data { data.withLock { $0 } }
}
