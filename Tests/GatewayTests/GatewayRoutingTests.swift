import AsyncHTTPClient
import Foundation
import NIOCore
import ShopTestSupport
import Testing

/// Routing by prefix, pass-through of upstream answers, the gateway's own routes, request ids and
/// forwarding headers, round-robin with ejection, and the registry.
@Suite struct GatewayRoutingTests {
    @Test func routesByPrefixAndPassesUpstreamAnswersThrough() async throws {
        try await TestScope.run { scope in
            let iam = try await scope.echo("iam")
            let catalog = try await scope.echo("catalog")
            let inventory = try await scope.echo("inventory")
            let gateway = try await scope.gateway(["UPSTREAM_IAM_URL": iam.baseURL, "UPSTREAM_CATALOG_URL": catalog.baseURL,
                                                   "UPSTREAM_INVENTORY_URL": inventory.baseURL])
            let client = gateway.client
            // Warehouses belong to inventory and need a token.
            #expect(try await client.get("/warehouses").status == 401)

            let login = try await client.post("/auth/login?next=%2Fhome")
            #expect(login.status == 200 && login.upstream == "iam")
            #expect(login.json["path"]?.stringValue == "/auth/login?next=%2Fhome")
            #expect(login.json["method"]?.stringValue == "POST")
            #expect(try await client.get("/.well-known/jwks.json").upstream == "iam")
            #expect(try await client.get("/oauth2").upstream == "iam")
            let product = try await client.get("/products/42")
            #expect(product.status == 200 && product.upstream == "catalog")
            // Categories belong to catalog and are public to read, like products (API.md §9).
            let categories = try await client.get("/categories/7/products")
            #expect(categories.status == 200 && categories.upstream == "catalog")

            // The upstream's own answers pass through unchanged: status, headers, body (no envelope).
            let missing = try await client.get("/products/status/404")
            #expect(missing.status == 404 && missing.text == "upstream 404")
            #expect(missing.header("X-Upstream") == "catalog")
            #expect(missing.header("Content-Type") == "text/plain")

            // Unknown routes answer 404 in the envelope, with the request id.
            for path in ["/nowhere", "/productsx/1", "/"] {
                let unknown = try await client.get(path)
                #expect(unknown.status == 404 && unknown.envelopeStatus == "ERROR" && unknown.code == 404, "\(path)")
                #expect(unknown.header("X-Request-Id")?.isEmpty == false)
        }
        }
    }

    @Test func ownHealthAndMetrics() async throws {
        try await TestScope.run { scope in
            let gateway = try await scope.gateway([:])
            let health = try await gateway.client.get("/health")
            #expect(health.status == 200 && health.envelopeStatus == "SUCCESS")
            let circuits = health.json["data"]?["circuits"]?.objectValue?.compactMapValues { $0.stringValue }
            #expect(circuits?["iam"] == "closed" && circuits?["catalog"] == "closed")
            #expect(try await gateway.client.get("/health/live").status == 200)
            #expect(try await gateway.client.get("/health/ready").status == 200)
            let metrics = try await gateway.client.get("/metrics")
            #expect(metrics.status == 200 && metrics.text.contains("http_requests_total"))
        }
    }

    @Test func requestIdAndTraceparentPropagatedEndToEnd() async throws {
        try await TestScope.run { scope in
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL])
            let client = gateway.client

            // The client's id is kept: the upstream sees the one the client gets back.
            let given = try await client.get("/products/1", headers: [("X-Request-Id", "req-abc-123")])
            #expect(given.header("X-Request-Id") == "req-abc-123")
            #expect(given.upstreamHeaders["x-request-id"] == "req-abc-123")
            #expect(catalog.requestIds.last == "req-abc-123")

            // Without one the gateway makes one, and it is the same on both sides.
            let made = try await client.get("/products/2")
            let id = try #require(made.header("X-Request-Id"))
            #expect(!id.isEmpty && made.upstreamHeaders["x-request-id"] == id && catalog.requestIds.last == id)

            // traceparent: generated when absent (valid W3C), passed on unchanged when present.
            let generated = try #require(made.upstreamHeaders["traceparent"])
            let parts = generated.split(separator: "-")
            #expect(parts.count == 4 && parts[0] == "00" && parts[1].count == 32 && parts[2].count == 16)
            let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let traced = try await client.get("/products/3", headers: [("traceparent", incoming)])
            #expect(traced.upstreamHeaders["traceparent"] == incoming)

            // Forwarding headers.
            #expect(made.upstreamHeaders["x-forwarded-for"] == "127.0.0.1")
            #expect(made.upstreamHeaders["x-forwarded-proto"] == "http")
            #expect(made.upstreamHeaders["x-forwarded-host"] == "127.0.0.1:\(gateway.server.port)")
            // The gateway is the edge: a client's own X-Forwarded-For is not passed on (it could name anyone)…
            let forged = try await client.get("/products/4", headers: [("X-Forwarded-For", "203.0.113.9")])
            #expect(forged.upstreamHeaders["x-forwarded-for"] == "127.0.0.1")
            // Errors carry it too.
            let unknown = try await client.get("/nowhere", headers: [("X-Request-Id", "req-404")])
            #expect(unknown.header("X-Request-Id") == "req-404")
        }
    }

    @Test func roundRobinWithEjectionOfAFailedInstance() async throws {
        try await TestScope.run { scope in
            let first = try await scope.echo("order-a")
            let second = try await scope.echo("order-b")
            let gateway = try await scope.gateway(["UPSTREAM_ORDER_URL": "\(first.baseURL),\(second.baseURL)",
                                                 "GATEWAY_PUBLIC_ROUTES": "/orders/**", "GATEWAY_EJECTION_MS": "60000"])
            var served: [String] = []
            for _ in 0..<4 { served.append(try await gateway.client.get("/orders/1").upstream ?? "?") }
            #expect(Set(served) == ["order-a", "order-b"])
            #expect(served[0] != served[1] && served[1] != served[2] && served[2] != served[3])

            await first.stop()
            // At most one call meets the dead instance (502); then it is ejected and b serves everything.
            var statuses: [Int] = []
            var upstreams: [String] = []
            for _ in 0..<6 {
                let answer = try await gateway.client.get("/orders/1")
                statuses.append(answer.status)
                if let upstream = answer.upstream { upstreams.append(upstream) }
        }
        #expect(statuses.filter { $0 == 502 }.count <= 1, "\(statuses)")
        #expect(statuses.suffix(4).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(Set(upstreams) == ["order-b"])
        }
    }

    /// A burst wider than AsyncHTTPClient's default pool (8 per host) reaches the upstream at once: with the
    /// default, the requests queued behind the eighth failed at the 1 s connect deadline as 502s.
    @Test func aBurstOfFortyRequestsIsInFlightAtOnce() async throws {
        try await TestScope.run { scope in
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL])
            let burst = 40
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: burst)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<burst {
                    group.addTask {
                        let response = try? await client.execute(HTTPClientRequest(url: gateway.baseURL + "/products/barrier/\(burst)"),
                                                                 timeout: .seconds(60))
                        _ = try? await response?.body.collect(upTo: 1 << 16)
                        return response.map { Int($0.status.code) } ?? -1
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            try await client.shutdown()
            #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses.sorted())")
        }
    }

    @Test func resolvesInstancesThroughTheRegistryAndFallsBackToStaticConfiguration() async throws {
        try await TestScope.run { scope in
            let registered = try await scope.echo("catalog-registered")
            let configured = try await scope.echo("catalog-static")
            let registry = try await scope.echo("registry", registry: ["catalog": [registered.baseURL]])
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": configured.baseURL, "DISCOVERY_URL": registry.baseURL,
                                                 "GATEWAY_DISCOVERY_CACHE_MS": "200"])
            // Eventually: under a loaded CI machine the first registry call may miss its 2 s deadline (the static
            // upstream answers meanwhile); the cache's 200 ms TTL asks again.
            try await eventually("the gateway routes to the instance the registry names", timeout: .seconds(60)) {
                try await gateway.client.get("/products/1").upstream == "catalog-registered"
            }
            // The registry goes away: static configuration once the cached answer expires.
            await registry.stop()
            try await eventually("the gateway falls back to UPSTREAM_CATALOG_URL") {
                try await gateway.client.get("/products/1").upstream == "catalog-static"
        }
        }
    }

    /// Behind a load balancer the gateway trusts (`GATEWAY_TRUSTED_PROXIES`), the forwarded chain goes on with
    /// the peer appended, and the client it names is the one rate-limited.
    @Test func aTrustedProxysChainIsPassedOnAndLimitedPerClient() async throws {
        try await TestScope.run { scope in
            let catalog = try await scope.echo("catalog")
            let gateway = try await scope.gateway(["UPSTREAM_CATALOG_URL": catalog.baseURL, "GATEWAY_TRUSTED_PROXIES": "loopback",
                                                   "GATEWAY_RATE_BURST": "2", "GATEWAY_RATE_PER_MINUTE": "1"])
            let chained = try await gateway.client.get("/products/4", headers: [("X-Forwarded-For", "203.0.113.9")])
            #expect(chained.upstreamHeaders["x-forwarded-for"] == "203.0.113.9, 127.0.0.1")
            // 203.0.113.9 has one request left, then 429; another client behind the same proxy is unaffected.
            #expect(try await gateway.client.get("/products/4", headers: [("X-Forwarded-For", "203.0.113.9")]).status == 200)
            #expect(try await gateway.client.get("/products/4", headers: [("X-Forwarded-For", "203.0.113.9")]).status == 429)
            #expect(try await gateway.client.get("/products/4", headers: [("X-Forwarded-For", "198.51.100.20")]).status == 200)
        }
    }
}
