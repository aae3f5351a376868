import Hummingbird
import Synchronization

/// A token bucket per client address: `burst` requests at once, refilled at `perSecond`. Over the limit
/// the client gets 429 in the envelope with Retry-After. Meant for credential endpoints, where it slows
/// password guessing; the gateway limits everything else.
public final class TokenBucketLimiter: Sendable {
    public let burst: Double
    public let perSecond: Double
    private let buckets = Mutex<[String: (tokens: Double, updated: ContinuousClock.Instant)]>([:])
    private let maxClients = 10_000

    public init(burst: Int, perSecond: Double) {
        self.burst = Double(burst)
        self.perSecond = perSecond
    }

    /// nil when admitted, or the whole seconds to wait.
    public func admit(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            if buckets.count >= maxClients, buckets[client] == nil {
                // Bounded memory: forget the idle ones (full buckets carry no information).
                buckets = buckets.filter { now - $0.value.updated < .seconds(burst / perSecond) }
            }
            var bucket = buckets[client] ?? (burst, now)
            let elapsed = now - bucket.updated
            let refill = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * perSecond
            bucket.tokens = min(burst, bucket.tokens + refill)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }
}

public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let limiter: TokenBucketLimiter

    public init(limiter: TokenBucketLimiter) {
        self.limiter = limiter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let wait = limiter.admit(context.remoteAddress ?? "unknown") {
            throw APIError.tooManyRequests(retryAfterSeconds: wait)
        }
        return try await next(request, context)
    }
}
