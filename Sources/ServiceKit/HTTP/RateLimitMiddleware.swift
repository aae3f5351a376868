import Hummingbird
import HTTPTypes
import Synchronization

/// A token bucket per key (a client address, an account): `burst` requests at once, refilled at
/// `perSecond`. Over the limit the client gets 429 in the envelope with Retry-After. Meant for credential
/// endpoints, where it slows password guessing; the gateway limits everything else.
public final class TokenBucketLimiter: Sendable {
    public let burst: Double
    public let perSecond: Double
    private let buckets = Mutex<[String: (tokens: Double, updated: ContinuousClock.Instant)]>([:])
    private let maxClients = 10_000

    public init(burst: Int, perSecond: Double) {
        self.burst = Double(burst)
        self.perSecond = perSecond
    }

    /// nil when `key` still has a token (none is taken), or the whole seconds until it has one.
    public func wait(for key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            guard let bucket = buckets[key] else { return nil }
            let tokens = refilled(bucket, now: now)
            return tokens >= 1 ? nil : secondsUntilOne(tokens)
        }
    }

    /// nil when admitted (a token is taken), or the whole seconds to wait.
    public func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            if buckets.count >= maxClients, buckets[key] == nil {
                // Bounded memory: forget the idle ones (full buckets carry no information).
                buckets = buckets.filter { now - $0.value.updated < .seconds(burst / perSecond) }
            }
            var tokens = buckets[key].map { refilled($0, now: now) } ?? burst
            defer { buckets[key] = (tokens, now) }
            guard tokens >= 1 else { return secondsUntilOne(tokens) }
            tokens -= 1
            return nil
        }
    }

    private func refilled(_ bucket: (tokens: Double, updated: ContinuousClock.Instant), now: ContinuousClock.Instant) -> Double {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return min(burst, bucket.tokens + seconds * perSecond)
    }

    private func secondsUntilOne(_ tokens: Double) -> Int {
        max(1, Int(((1 - tokens) / perSecond).rounded(.up)))
    }
}

public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let limiter: TokenBucketLimiter

    public init(limiter: TokenBucketLimiter) {
        self.limiter = limiter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let wait = limiter.admit(context.clientAddress ?? "unknown") {
            throw APIError.tooManyRequests(retryAfterSeconds: wait)
        }
        return try await next(request, context)
    }
}

/// Sets `clientAddress` from `X-Forwarded-For` when the peer is a trusted proxy.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let trusted: TrustedProxies

    public init(trusted: TrustedProxies) {
        self.trusted = trusted
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = trusted.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor])
        if let client = context.clientAddress, client != context.remoteAddress {
            context.logger[metadataKey: "client"] = .string(client)
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
