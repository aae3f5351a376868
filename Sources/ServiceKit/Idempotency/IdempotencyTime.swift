import Foundation

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
