/// Exponential backoff with full jitter, capped: the delay before retry number `attempt` (1-based).
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    public func delay(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let uncapped = initial * (1 << exponent)
        let capped = min(uncapped, maximum)
        // Jitter in [50%, 100%] of the capped delay: spreads retries without ever retrying at once.
        let factor = Double.random(in: 0.5...1.0)
        return capped * factor
    }
}
