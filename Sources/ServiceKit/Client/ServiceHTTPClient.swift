import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Calls to other services: a deadline per call, retries with exponential backoff and full jitter for
/// idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS) on connection errors and 502/503/504, and a
/// circuit breaker per upstream (scheme, host and port) that fails fast while the upstream is down.
public final class ServiceHTTPClient: Sendable {
    public struct Policy: Sendable {
        public var timeout: Duration = .seconds(5)
        public var maxAttempts: Int = 3
        public var baseBackoff: Duration = .milliseconds(50)
        public var maxBackoff: Duration = .seconds(1)
        public var failureThreshold: Int = 5
        public var openDuration: Duration = .seconds(10)
        public var maxResponseBytes: Int = 4 << 20
        public init() {}
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer
    }

    public let policy: Policy
    private let client: HTTPClient
    private let breakers = Mutex<[String: CircuitBreaker]>([:])

    public init(policy: Policy = Policy(), client: HTTPClient = .shared) {
        self.policy = policy
        self.client = client
    }

    public func breaker(for url: String) -> CircuitBreaker {
        let key = Self.upstream(of: url)
        return breakers.withLock { breakers in
            if let existing = breakers[key] { return existing }
            let breaker = CircuitBreaker(failureThreshold: policy.failureThreshold, openDuration: policy.openDuration)
            breakers[key] = breaker
            return breaker
        }
    }

    /// - Parameter timeout: this call's deadline per attempt, when it is not the policy's.
    public func execute(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
                        timeout: Duration? = nil) async throws -> Reply {
        // A call outside any trace (heartbeats, key and config fetches) starts none: a trace a minute per
        // process of background chatter would bury the ones people look for.
        guard Tracing.active != nil else { return try await attempts(method, url, headers: headers, body: body, timeout: timeout) }
        return try await Tracing.withSpan("\(method.rawValue) \(Self.upstream(of: url))", kind: .client) { span in
            var headers = headers
            if let span {
                headers.replaceOrAdd(name: "traceparent", value: span.context.header)
                span.set("http.request.method", method.rawValue)
                span.set("url.full", url)
            }
            let reply = try await attempts(method, url, headers: headers, body: body, timeout: timeout)
            span?.set("http.response.status_code", reply.status)
            if reply.status >= 500 { span?.fail("HTTP \(reply.status)") }
            return reply
        }
    }

    private func attempts(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, body: ByteBuffer?,
                          timeout: Duration?) async throws -> Reply {
        let breaker = breaker(for: url)
        let idempotent = [.GET, .HEAD, .PUT, .DELETE, .OPTIONS].contains(method)
        let attempts = idempotent ? max(1, policy.maxAttempts) : 1
        var lastError: ServiceCallError = .unavailable(url: url, reason: "not attempted")
        for attempt in 1...attempts {
            guard breaker.acquire() else { throw ServiceCallError.circuitOpen(upstream: Self.upstream(of: url)) }
            do {
                var request = HTTPClientRequest(url: url)
                request.method = method
                request.headers = headers
                if let body { request.body = .bytes(body) }
                let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout ?? policy.timeout)))
                let bytes = try await response.body.collect(upTo: policy.maxResponseBytes)
                let status = Int(response.status.code)
                if [502, 503, 504].contains(status) {
                    breaker.recordFailure()
                    lastError = .unavailable(url: url, reason: "HTTP \(status)")
                } else {
                    breaker.recordSuccess()
                    return Reply(status: status, headers: response.headers, body: bytes)
                }
            } catch {
                breaker.recordFailure()
                lastError = .unavailable(url: url, reason: String(describing: error))
            }
            if attempt < attempts {
                try await Task.sleep(for: Self.backoff(attempt: attempt, base: policy.baseBackoff, cap: policy.maxBackoff))
            }
        }
        throw lastError
    }

    /// Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))].
    static func backoff(attempt: Int, base: Duration, cap: Duration) -> Duration {
        let ceiling = min(cap, base * (1 << min(attempt - 1, 20)))
        let nanos = nanoseconds(ceiling)
        return .nanoseconds(nanos > 0 ? Int64.random(in: 0...nanos) : 0)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    static func upstream(of url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return "\(components.scheme ?? "http")://\(components.host ?? ""):\(components.port.map(String.init) ?? "")"
    }
}

public enum ServiceCallError: Error, CustomStringConvertible, Equatable {
    case circuitOpen(upstream: String)
    case unavailable(url: String, reason: String)

    public var description: String {
        switch self {
        case .circuitOpen(let upstream): "\(upstream) is failing; calls are suspended for a while (circuit open)"
        case .unavailable(let url, let reason): "\(url) did not answer: \(reason)"
        }
    }
}
