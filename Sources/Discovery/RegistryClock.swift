import Foundation

/// The registry's source of "now" (heartbeat times and TTL expiry), injected so tests can move time.
public struct RegistryClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = RegistryClock { Date() }
}
