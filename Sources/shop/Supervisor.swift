import Foundation
import Synchronization

/// Runs the stack's processes: starts them in order and waits until each is ready, merges their output
/// with a coloured prefix, restarts a process that exits on its own (with exponential backoff, reset after
/// a minute of uptime), and on `stop()` sends SIGTERM to all, waits, and SIGKILLs what is left, so no
/// process outlives `shop up`.
final class Supervisor: Sendable {
    private struct Running {
        var process: Process
        var startedAt: ContinuousClock.Instant
        var restarts: Int
    }

    let components: [StackComponent]
    private let running = Mutex<[String: Running]>([:])
    private let stopping = Atomic<Bool>(false)
    private let output = Mutex<Void>(())
    private let colors: Bool

    init(components: [StackComponent]) {
        self.components = components
        colors = isatty(STDOUT_FILENO) == 1
    }

    /// Starts every component in order, each only after the previous one is ready.
    func start(readyTimeout: Duration) async throws {
        for component in components {
            try launch(component, restarts: 0)
            guard try await waitReady(component, timeout: readyTimeout) else {
                throw SupervisorError.notReady(component.name, readyTimeout)
            }
        }
    }

    func pid(of name: String) -> Int32? {
        running.withLock { $0[name]?.process.processIdentifier }
    }

    func isReady(_ component: StackComponent) async -> Bool {
        switch component.readiness {
        case .tcp: return Probe.tcp(port: component.port)
        case .http(let path): return await Probe.httpStatus(port: component.port, path: path) == 200
        }
    }

    /// Stops the processes one by one in reverse start order (the gateway first, the broker last), so that
    /// each can still deregister from the registry and flush its outbox to the broker: SIGTERM, then SIGKILL
    /// if it is still running after `grace`.
    func stop(grace: Duration) {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for component in components.reversed() {
            guard let process = running.withLock({ $0[component.name]?.process }) else { continue }
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            let deadline = ContinuousClock.now + grace
            while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
            if process.isRunning {
                log("shop", color: 31, "\(component.name) (\(process.processIdentifier)) did not stop in time; SIGKILL")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
        }
    }

    private func launch(_ component: StackComponent, restarts: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: component.executable)
        process.arguments = component.arguments
        var environment = component.environment
        // Children exit when `shop up` dies without cleaning up (see ParentWatch in `shop serve`).
        environment["SHOP_UP_PID"] = String(getpid())
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let name = component.name
        let color = component.color
        let lines = LineSplitter()
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            for line in lines.feed(data) { self?.log(name, color: color, line) }
        }
        process.terminationHandler = { [weak self] finished in
            self?.exited(component, status: finished.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            throw SupervisorError.cannotStart(component.name, component.executable, String(describing: error))
        }
        running.withLock { $0[component.name] = Running(process: process, startedAt: .now, restarts: restarts) }
    }

    private func exited(_ component: StackComponent, status: Int32) {
        guard !stopping.load(ordering: .sequentiallyConsistent) else { return }
        let previous = running.withLock { $0[component.name] }
        var restarts = (previous?.restarts ?? 0) + 1
        if let startedAt = previous?.startedAt, ContinuousClock.now - startedAt > .seconds(60) { restarts = 1 }
        let delay = min(30, 1 << min(restarts - 1, 5))
        let attempt = restarts
        log("shop", color: 31, "\(component.name) exited with status \(status); restarting in \(delay) s (restart \(attempt))")
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(delay)) { [weak self] in
            guard let self, !self.stopping.load(ordering: .sequentiallyConsistent) else { return }
            do {
                try self.launch(component, restarts: attempt)
            } catch {
                self.log("shop", color: 31, "\(error)")
            }
        }
    }

    private func waitReady(_ component: StackComponent, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await isReady(component) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func log(_ name: String, color: Int, _ line: String) {
        let prefix = name.padding(toLength: 9, withPad: " ", startingAt: 0)
        let text = colors ? "\u{1B}[\(color)m\(prefix)|\u{1B}[0m \(line)\n" : "\(prefix)| \(line)\n"
        output.withLock { _ in FileHandle.standardOutput.write(Data(text.utf8)) }
    }
}

enum SupervisorError: Error, CustomStringConvertible {
    case notReady(String, Duration)
    case cannotStart(String, String, String)

    var description: String {
        switch self {
        case .notReady(let name, let timeout): "\(name) was not ready within \(timeout); see its log lines above"
        case .cannotStart(let name, let path, let reason): "cannot start \(name) (\(path)): \(reason); build it with `swift build`"
        }
    }
}

/// Splits a byte stream into lines, keeping a partial last line for the next chunk.
final class LineSplitter: Sendable {
    private let pending = Mutex<Data>(Data())

    func feed(_ data: Data) -> [String] {
        pending.withLock { pending in
            pending.append(data)
            var lines: [String] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
            return lines
        }
    }
}
