import Foundation
import HummingbirdTesting
import ServiceKit
import ShopTestSupport
import Testing

/// ServiceKit services register themselves when `DISCOVERY_URL` is set, heartbeat, re-register when the
/// registry forgets them, and deregister on graceful shutdown.
@Suite(.serialized) struct SelfRegistrationTests {
    static func iamEnvironment(registryURL: String, dataDirectory: String) -> [String: String] {
        [
            "DATA_DIR": dataDirectory,
            "DISCOVERY_URL": registryURL,
            "DISCOVERY_HEARTBEAT_SECONDS": "1",
            // No broker: IAM serves without one, and registration does not depend on it.
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:\(BrokerProcess.freePort())",
            "IAM_ADMIN_PASSWORD": "admin-password-for-tests",
            "LOG_LEVEL": "warning",
        ]
    }

    static func instances(_ fixture: RegistryFixture, _ service: String) async throws -> [DiscoveredInstance] {
        try await DiscoveryClient(registryURL: fixture.url).instances(of: service)
    }

    @Test func iamRegistersHeartbeatsReRegistersAndDeregistersOnShutdown() async throws {
        let fixture = try await RegistryFixture()
        defer { fixture.stop() }
        let iam = try await ServiceProcess(service: "iam", environment: Self.iamEnvironment(
            registryURL: fixture.url, dataDirectory: fixture.dataDirectory + "-iam"), logFile: fixture.dataDirectory + "-iam.log")
        defer { iam.cleanUp(removing: [fixture.dataDirectory + "-iam", fixture.dataDirectory + "-iam.log"]) }

        try await eventually("iam registers") { try await Self.instances(fixture, "iam").count == 1 }
        let registered = try #require(try await Self.instances(fixture, "iam").first)
        #expect(registered.host == "127.0.0.1" && registered.port == iam.port)
        #expect(registered.url == iam.baseURL)
        #expect(registered.status == "UP")
        #expect(registered.healthCheckUrl == iam.baseURL + "/health/ready")

        try await eventually("iam heartbeats") {
            try await Self.instances(fixture, "iam").first.map { $0.lastHeartbeatAt > registered.lastHeartbeatAt } ?? false
        }

        // The registry forgets the instance (as after an expiry): the next heartbeat gets 404 and re-registers.
        #expect(try await fixture.client.send(.DELETE, "/services/iam/instances/\(registered.instanceId)").status == 200)
        try await eventually("iam registers again") {
            try await Self.instances(fixture, "iam").first.map { $0.registeredAt > registered.registeredAt } ?? false
        }

        // SIGTERM: deregistered before the process exits (the TTL is 30 s, so absence proves it).
        await iam.stop()
        #expect(iam.terminationStatus == 0)
        #expect(try await fixture.client.send(.GET, "/services/iam").status == 404)
    }

    @Test func registrationRetriesUntilTheRegistryComesUp() async throws {
        let registryPort = BrokerProcess.freePort()
        let dataDirectory = NSTemporaryDirectory() + "discovery-late-" + UUID().uuidString
        let iam = try await ServiceProcess(service: "iam", environment: Self.iamEnvironment(
            registryURL: "http://127.0.0.1:\(registryPort)", dataDirectory: dataDirectory), logFile: dataDirectory + "-iam.log")
        defer { iam.cleanUp(removing: [dataDirectory, dataDirectory + "-iam.log"]) }
        // IAM serves although the registry is down.
        #expect(try await EnvelopeClient(baseURL: iam.baseURL).send(.GET, "/health/live").status == 200)

        let fixture = try await RegistryFixture(port: registryPort)
        defer { fixture.stop() }
        try await eventually("iam registers once the registry is up") {
            try await Self.instances(fixture, "iam").map(\.port) == [iam.port]
        }
    }

    /// An in-process ServiceApp on port 0 advertises the port it really bound.
    @Test func anInProcessServiceAdvertisesItsBoundPort() async throws {
        let fixture = try await RegistryFixture()
        defer { fixture.stop() }
        let environment = ["DISCOVERY_URL": fixture.url, "DISCOVERY_HEARTBEAT_SECONDS": "1", "PORT": "0", "HOST": "0.0.0.0"]
        let app = ServiceApp(config: try ServiceConfig(serviceName: "probe", defaultPort: 0, environment: environment))
        try await app.application().test(.live) { client in
            let port = try #require(client.port)
            try await eventually("probe registers") { try await Self.instances(fixture, "probe").map(\.port) == [port] }
            #expect(try await Self.instances(fixture, "probe").first?.host == "127.0.0.1")  // 0.0.0.0 is not dialable
        }
        // The test server shut down gracefully, which deregistered the instance.
        #expect(try await Self.instances(fixture, "probe").isEmpty)
    }
}
