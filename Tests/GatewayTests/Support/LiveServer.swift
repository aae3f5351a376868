import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A Hummingbird application served for real on loopback inside the test process, until `stop()`.
final class LiveServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Runs the application built by `make` (given the `onServerRunning` callback to pass on) and waits,
    /// bounded, until it listens.
    init<App: ApplicationProtocol>(_ name: String, make: (@escaping @Sendable (any Channel) async -> Void) throws -> App) async throws {
        let bound = BoundPort()
        let app = try make { channel in bound.set(channel.localAddress?.port) }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test-\(name)")))
        let task = Task { try await group.run() }
        // Generous: the whole suite shares this process and two cores.
        let deadline = ContinuousClock.now + .seconds(60)
        var port: Int?
        while port == nil, ContinuousClock.now < deadline {
            port = bound.value
            if port == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let port else {
            await group.triggerGracefulShutdown()
            task.cancel()
            throw TestFailure("\(name) did not start listening within 60 s")
        }
        self.port = port
        self.group = group
        self.task = task
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The port a server reported from `onServerRunning`.
final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int?) { port.withLock { $0 = value } }
    var value: Int? { port.withLock { $0 } }
}
