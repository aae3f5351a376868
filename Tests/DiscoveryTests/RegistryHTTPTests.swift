import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// The registry over real HTTP: a `shop serve discovery` process with its own SQLite file.
@Suite(.serialized) struct RegistryHTTPTests {
    @Test func registerHeartbeatListAndDeregister() async throws {
        let fixture = try await RegistryFixture()
        defer { fixture.stop() }
        let client = fixture.client

        // Without an instanceId the registry generates one.
        let generated = try await client.register("orders", ["host": "127.0.0.1", "port": 9001, "metadata": ["zone": "a"]])
        #expect(generated.status == 201 && generated.envelopeStatus == "SUCCESS")
        let generatedId = try #require(generated.data?["instanceId"]?.stringValue)
        #expect(!generatedId.isEmpty)
        #expect(generated.data?["url"]?.stringValue == "http://127.0.0.1:9001")
        #expect(generated.data?["status"]?.stringValue == "UP")
        #expect(generated.data?["metadata"]?["zone"]?.stringValue == "a")

        let named = try await client.register("Orders", ["instanceId": "orders-2", "host": "localhost", "port": 9002,
                                                         "healthCheckUrl": "http://localhost:9002/health/ready"])
        #expect(named.status == 201 && named.data?["instanceId"]?.stringValue == "orders-2")
        #expect(named.data?["serviceName"]?.stringValue == "orders")  // names are case-insensitive

        let listed = try await client.send(.GET, "/services/orders")
        #expect(listed.status == 200 && listed.data?["name"]?.stringValue == "orders")
        #expect(Set(listed.instances.compactMap { $0["instanceId"]?.stringValue }) == [generatedId, "orders-2"])
        let first = try #require(listed.instances.first { $0["instanceId"]?.stringValue == "orders-2" })
        for field in ["instanceId", "serviceName", "host", "port", "url", "status", "metadata", "registeredAt", "lastHeartbeatAt"] {
            #expect(first[field] != nil, "instance field \(field)")
        }

        // Re-registering the same id replaces the instance.
        let replaced = try await client.register("orders", ["instanceId": "orders-2", "host": "localhost", "port": 9003])
        #expect(replaced.status == 201)
        let afterReplace = try await client.send(.GET, "/services/orders")
        #expect(afterReplace.instances.count == 2)
        #expect(afterReplace.instances.first { $0["instanceId"]?.stringValue == "orders-2" }?["port"]?.intValue == 9003)

        // Heartbeats, with and without a status; ?status=UP filters.
        let beat = try await client.send(.PUT, "/services/orders/instances/orders-2/heartbeat")
        #expect(beat.status == 200)
        let down = try await client.send(.PUT, "/services/orders/instances/\(generatedId)/heartbeat", json: ["status": "DOWN"])
        #expect(down.status == 200 && down.data?["status"]?.stringValue == "DOWN")
        let up = try await client.send(.GET, "/services/orders?status=UP")
        #expect(up.instances.compactMap { $0["instanceId"]?.stringValue } == ["orders-2"])
        let unknownBeat = try await client.send(.PUT, "/services/orders/instances/nope/heartbeat")
        #expect(unknownBeat.status == 404 && unknownBeat.envelopeStatus == "ERROR")

        // Every service.
        _ = try await client.register("iam", ["instanceId": "iam-1", "host": "127.0.0.1", "port": 8081])
        let all = try await client.send(.GET, "/services")
        #expect(all.status == 200)
        let services = all.data?.arrayValue ?? []
        #expect(services.compactMap { $0["name"]?.stringValue } == ["iam", "orders"])
        #expect(services.last?["instances"]?.arrayValue?.count == 2)

        // The typed client reads the same shape.
        let typed = DiscoveryClient(registryURL: fixture.url)
        let orders = try await typed.instances(of: "orders")
        #expect(orders.count == 2)
        #expect(try await typed.instances(of: "orders", onlyUp: true).map(\.instanceId) == ["orders-2"])
        #expect(try await typed.instances(of: "nothing-here").isEmpty)
        #expect(try await typed.services().map(\.name) == ["iam", "orders"])

        // Deregistration.
        let deleted = try await client.send(.DELETE, "/services/orders/instances/orders-2")
        #expect(deleted.status == 200)
        #expect(try await client.send(.DELETE, "/services/orders/instances/orders-2").status == 404)
        #expect(try await client.send(.DELETE, "/services/iam/instances/iam-1").status == 200)
        #expect(try await client.send(.GET, "/services/iam").status == 404)
        #expect(try await client.send(.GET, "/services/orders").instances.count == 1)
    }

    @Test func invalidRequestsAreRefusedWithFieldErrors() async throws {
        let fixture = try await RegistryFixture()
        defer { fixture.stop() }
        let client = fixture.client
        let bad = try await client.register("orders", ["host": "", "port": 0, "status": "SLEEPING"])
        #expect(bad.status == 400 && bad.envelopeStatus == "ERROR")
        #expect(Set(bad.errorFields) == ["host", "port", "status"])
        let missing = try await client.register("orders", ["host": "127.0.0.1"])
        #expect(missing.status == 400 && missing.errorFields == ["port"])
        let badId = try await client.register("orders", ["instanceId": "has space", "host": "h", "port": 1])
        #expect(badId.status == 400 && badId.errorFields == ["instanceId"])
        let badName = try await client.register("bad%20name", ["host": "h", "port": 1])
        #expect(badName.status == 400 && badName.errorFields == ["name"])
        #expect(try await client.send(.GET, "/services?status=NOPE").errorFields == ["status"])
        _ = try await client.register("orders", ["instanceId": "o-1", "host": "h", "port": 1])
        let badBeat = try await client.send(.PUT, "/services/orders/instances/o-1/heartbeat", json: ["status": "NOPE"])
        #expect(badBeat.status == 400 && badBeat.errorFields == ["status"])
    }

    @Test func instancesExpireAfterTheTTL() async throws {
        let fixture = try await RegistryFixture(extraEnvironment: [
            "DISCOVERY_INSTANCE_TTL_SECONDS": "1", "DISCOVERY_SWEEP_INTERVAL_SECONDS": "1"])
        defer { fixture.stop() }
        let client = fixture.client
        #expect(try await client.register("orders", ["instanceId": "o-1", "host": "127.0.0.1", "port": 9001]).status == 201)
        try await eventually("o-1 expires", timeout: .seconds(15)) {
            try await client.send(.GET, "/services/orders").status == 404
        }
        #expect(try await client.send(.GET, "/services").data?.arrayValue?.isEmpty == true)
        // The expired instance's heartbeat is refused, so its owner registers again.
        #expect(try await client.send(.PUT, "/services/orders/instances/o-1/heartbeat").status == 404)
    }

    @Test func stateSurvivesARestart() async throws {
        let fixture = try await RegistryFixture()
        defer { fixture.stop() }
        #expect(try await fixture.client.register("orders", ["instanceId": "o-1", "host": "127.0.0.1", "port": 9001,
                                                               "metadata": ["version": "7"]]).status == 201)
        try await fixture.restart()
        let listed = try await fixture.client.send(.GET, "/services/orders")
        #expect(listed.status == 200)
        #expect(listed.instances.first?["instanceId"]?.stringValue == "o-1")
        #expect(listed.instances.first?["metadata"]?["version"]?.stringValue == "7")
        #expect(try await fixture.client.send(.PUT, "/services/orders/instances/o-1/heartbeat").status == 200)
    }
}
