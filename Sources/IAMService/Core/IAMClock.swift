import Foundation

/// The source of "now" for every time-based rule (lockout, token expiry, key rotation), injected so tests
/// can move time without sleeping.
public struct IAMClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = IAMClock { Date() }
}
