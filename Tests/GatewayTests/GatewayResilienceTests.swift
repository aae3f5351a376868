import AsyncHTTPClient
import Foundation
import NIOHTTP1
import ShopTestSupport
import Testing

/// Rate limits, the circuit breaker and timeouts.
@Suite struct GatewayResilienceTests {
    @Test func aBurstOf300LoginAttemptsIsThrottledWithDefaultLimits() async throws {
        try await TestScope.run { scope in
            let iam = try await scope.echo("iam")
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_IAM_URL": iam.baseURL, "UPSTREAM_CATALOG_URL": catalog.baseURL])
            var statuses: [Int] = []
            var firstRefusal: EnvelopeClient.Answer?
            let started = ContinuousClock.now
            // Ten at a time, so that the burst is over quickly even on a busy machine.
            for _ in 0..<30 {
                let answers = try await withThrowingTaskGroup(of: EnvelopeClient.Answer.self) { group in
                    for _ in 0..<10 {
                        group.addTask { try await gateway.client.post("/auth/login", json: #"{"email":"a@b.c","password":"guess"}"#) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for answer in answers {
                    statuses.append(answer.status)
                    if answer.status == 429, firstRefusal == nil { firstRefusal = answer }
                }
            }
            let admitted = statuses.filter { $0 == 200 }.count
            let throttled = statuses.filter { $0 == 429 }.count
            #expect(admitted + throttled == 300)
            // The default auth bucket: a burst of 20, then 300 a minute (5 a second) for as long as the loop ran
            // (the machine may be busy: the bound follows the time taken, not a guess of it).
            let elapsed = ContinuousClock.now - started
            let refilled = Int((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 5) + 1
            #expect(admitted >= 20 && admitted <= 20 + refilled, "admitted \(admitted), throttled \(throttled), refilled \(refilled)")
            #expect(throttled >= 1)
            let refusal = try #require(firstRefusal)
            #expect(refusal.envelopeStatus == "ERROR" && refusal.code == 429)
            #expect(Int(refusal.header("Retry-After") ?? "") ?? 0 >= 1)
            // Reads have their own, larger bucket.
            #expect(try await gateway.client.get("/products/1").status == 200)
        }
    }

    @Test func limitsAreConfigurable() async throws {
        try await TestScope.run { scope in
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL,
                                                   "GATEWAY_RATE_BURST": "5", "GATEWAY_RATE_PER_MINUTE": "1"])
            var statuses: [Int] = []
            for _ in 0..<8 { statuses.append(try await gateway.client.get("/products/1").status) }
            #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "\(statuses)")
            #expect(statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
        }
    }

    @Test func circuitOpensWhileTheUpstreamIsDownAndClosesAfterItRecovers() async throws {
        try await TestScope.run { scope in
            let port = BrokerProcess.freePort()
            let catalog = try await scope.echo("catalog", port: port)
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL, "GATEWAY_BREAKER_FAILURES": "3",
                                                   "GATEWAY_BREAKER_OPEN_MS": "3000", "GATEWAY_EJECTION_MS": "1000"])
            let client = gateway.client
            #expect(try await client.get("/products/1").status == 200)

            await catalog.stop()
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await client.get("/products/1").status) }
            #expect(statuses == [502, 502, 502])
            let open = try await client.get("/products/1")
            #expect(open.status == 503 && open.envelopeStatus == "ERROR" && open.code == 503, "\(open.text)")
            #expect(Int(open.header("Retry-After") ?? "") ?? 0 >= 1)
            let health = try await client.get("/health")
            #expect(health.json["data"]?["circuits"]?["catalog"]?.stringValue == "open")

            // Back on the same port: the trial call after the open period closes the circuit again.
            let restarted = try await scope.echo("catalog", port: port)
            #expect(try await client.get("/products/1").status == 503)
            try await eventually("the circuit closes after the upstream recovers") {
                try await client.get("/products/1").status == 200
            }
            #expect(try await client.get("/products/1").upstream == restarted.name)
        }
    }

    @Test func aSlowUpstreamAnswers504() async throws {
        try await TestScope.run { scope in
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL, "UPSTREAM_CATALOG_TIMEOUT_MS": "4000"])
            let started = ContinuousClock.now
            let answer = try await gateway.client.get("/products/slow")
            #expect(answer.status == 504 && answer.envelopeStatus == "ERROR" && answer.code == 504)
            // The per-service 4 s timeout applied: under the 10 s default, `/slow` (8 s) would have answered 200.
            // (4 s, not less: this busy test process must still answer `/products/1` in time.) The bound only
            // catches a hang.
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(try await gateway.client.get("/products/1").status == 200)
        }
    }
}
