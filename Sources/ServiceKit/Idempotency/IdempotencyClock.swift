import Foundation

/// The source of "now" for leases and retention, injected so tests move time without sleeping.
public struct IdempotencyClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = IdempotencyClock { Date() }
}

extension Date {
    /// Milliseconds since 1970, the unit of the idempotency table's time columns (integers compare
    /// exactly in SQL, and the pruning index orders them).
    var idempotencyMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}

extension Duration {
    var idempotencyMillis: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
