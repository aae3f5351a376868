import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ServiceKit

/// A Hummingbird application served for real on loopback inside the test process, until `stop()`.
public final class LiveServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Runs the application built by `make` (given the `onServerRunning` callback to pass on) and waits,
    /// bounded, until it listens.
    public init<App: ApplicationProtocol>(_ name: String, make: (@escaping @Sendable (any Channel) async -> Void) throws -> App) async throws {
        let bound = BoundPort()
        let app = try make { channel in if let port = channel.localAddress?.port { bound.set(port) } }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test-\(name)")))
        let task = Task { try await group.run() }
        // Generous: the whole suite shares this process and two cores.
        let deadline = ContinuousClock.now + .seconds(60)
        var port: Int?
        while port == nil, ContinuousClock.now < deadline {
            port = bound.current
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

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// A test's own failure with a message.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
