import Foundation

/// The source of "now" for every time-based rule a service has (token expiry, lockouts, leases, TTLs),
/// injected so tests move time instead of sleeping.
public struct ServiceClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = ServiceClock { Date() }
}
