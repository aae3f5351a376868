import Synchronization

/// The port the HTTP server actually bound, for a service configured with port 0: `ServiceApp` sets it
/// when the server is running and `DiscoveryRegistration` waits for it before registering.
public final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)

    public init() {}

    public func set(_ value: Int) {
        port.withLock { $0 = $0 ?? value }
    }

    public var current: Int? { port.withLock { $0 } }

    /// The bound port, polling until the server has bound one; throws `CancellationError` when the task
    /// is cancelled first (the server never came up), so shutdown is never held up here.
    public func value() async throws -> Int {
        while true {
            if let current { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
