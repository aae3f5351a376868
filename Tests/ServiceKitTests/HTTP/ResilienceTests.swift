@testable import ServiceKit
import Testing

@Suite struct ResilienceTests {
    @Test func breakerOpensAfterThresholdAndClosesAfterASuccessfulTrial() {
        let breaker = CircuitBreaker(failureThreshold: 3, openDuration: .seconds(10))
        let start = ContinuousClock.now
        for _ in 0..<3 {
            #expect(breaker.acquire(now: start))
            breaker.recordFailure(now: start)
        }
        #expect(!breaker.acquire(now: start + .seconds(5)))
        // After the open period exactly one trial goes out.
        #expect(breaker.acquire(now: start + .seconds(11)))
        #expect(!breaker.acquire(now: start + .seconds(11)))
        breaker.recordFailure(now: start + .seconds(11))
        #expect(!breaker.acquire(now: start + .seconds(12)))
        #expect(breaker.acquire(now: start + .seconds(22)))
        breaker.recordSuccess()
        #expect(breaker.currentState == .closed)
        #expect(breaker.acquire(now: start + .seconds(22)))
    }

    @Test func backoffIsJitteredAndCapped() {
        for attempt in 1...10 {
            let delay = ServiceHTTPClient.backoff(attempt: attempt, base: .milliseconds(50), cap: .seconds(1))
            #expect(delay >= .zero && delay <= .seconds(1))
        }
    }

    @Test func tokenBucketRefills() {
        let limiter = TokenBucketLimiter(burst: 2, perSecond: 1)
        let start = ContinuousClock.now
        #expect(limiter.admit("a", now: start) == nil)
        #expect(limiter.admit("a", now: start) == nil)
        #expect(limiter.admit("a", now: start) == 1)
        #expect(limiter.admit("b", now: start) == nil)
        #expect(limiter.admit("a", now: start + .seconds(1)) == nil)
    }

    @Test func formEncoding() {
        #expect(FormEncoding.parse("grant_type=password&username=a%40b.c&password=p+q%26r") ==
                ["grant_type": "password", "username": "a@b.c", "password": "p q&r"])
    }

    @Test func configRejectsBadValues() throws {
        #expect(throws: ConfigError.self) { try ServiceConfig(serviceName: "x", defaultPort: 1, environment: ["PORT": "abc"]) }
        #expect(throws: ConfigError.self) { try ServiceConfig(serviceName: "x", defaultPort: 1, environment: ["SHOP_ENV": "prod"]) }
        let config = try ServiceConfig(serviceName: "iam", defaultPort: 8081, environment: ["DATA_DIR": "/tmp/d"])
        #expect(config.port == 8081 && config.databasePath == "/tmp/d/iam/iam.sqlite")
    }
}
