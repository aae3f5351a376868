import Discovery
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// Expiry with an injected clock, against the assembled registry app over a live socket: no waiting for time.
@Suite struct RegistryExpiryTests {
    static func makeApp(clock: ManualClock, directory: String) throws -> ServiceApp {
        let environment = ["DATA_DIR": directory, "DISCOVERY_INSTANCE_TTL_SECONDS": "30", "LOG_LEVEL": "warning"]
        let config = try ServiceConfig(serviceName: "discovery", defaultPort: 0, environment: environment)
        return try DiscoveryServer.makeApp(config: config, environment: environment, clock: clock.serviceClock)
    }

    @Test func instancesWithoutHeartbeatExpireAfterTheTTL() async throws {
        let directory = NSTemporaryDirectory() + "discovery-expiry-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_750_000_000))
        let app = try Self.makeApp(clock: clock, directory: directory)
        try await app.application().test(.live) { client in
            func send(_ method: HTTPRequest.Method, _ path: String, _ json: String? = nil) async throws -> (Int, JSONValue) {
                let response = try await client.execute(uri: path, method: method, headers: json == nil ? [:] : [.contentType: "application/json"],
                                                        body: json.map { ByteBuffer(string: $0) })
                return (Int(response.status.code), (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: response.body))) ?? .null)
            }
            func liveIds() async throws -> [String] {
                let (status, json) = try await send(.get, "/services/orders")
                guard status == 200 else { return [] }
                return json["data"]?["instances"]?.arrayValue?.compactMap { $0["instanceId"]?.stringValue } ?? []
            }
            #expect(try await send(.post, "/services/orders/instances", #"{"instanceId":"a","host":"127.0.0.1","port":9001}"#).0 == 201)
            #expect(try await send(.post, "/services/orders/instances", #"{"instanceId":"b","host":"127.0.0.1","port":9002}"#).0 == 201)

            clock.advance(seconds: 20)
            #expect(try await send(.put, "/services/orders/instances/b/heartbeat").0 == 200)
            #expect(try await liveIds() == ["a", "b"])

            // 35 s after registration: a has not heartbeated for longer than the TTL, b did 15 s ago.
            clock.advance(seconds: 15)
            #expect(try await liveIds() == ["b"])
            #expect(try await send(.put, "/services/orders/instances/a/heartbeat").0 == 404)
            #expect(try await send(.delete, "/services/orders/instances/a").0 == 404)

            // b heartbeated at +20 s: live at +49 s, expired exactly at +50 s (one TTL later).
            clock.advance(seconds: 14)
            #expect(try await liveIds() == ["b"])
            clock.advance(seconds: 1)
            #expect(try await liveIds() == [])
            #expect(try await send(.get, "/services/orders").0 == 404)
            let (_, all) = try await send(.get, "/services")
            #expect(all["data"]?.arrayValue?.isEmpty == true)

            // Registering again brings it back.
            #expect(try await send(.post, "/services/orders/instances", #"{"instanceId":"a","host":"127.0.0.1","port":9001}"#).0 == 201)
            #expect(try await liveIds() == ["a"])
        }
    }

    @Test func aRestartedRegistryKeepsItsInstancesForOneTTL() async throws {
        let directory = NSTemporaryDirectory() + "discovery-grace-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1_750_000_000))
        try await Self.makeApp(clock: clock, directory: directory).application().test(.live) { client in
            let response = try await client.execute(uri: "/services/orders/instances", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"instanceId":"a","host":"127.0.0.1","port":9001}"#))
            #expect(response.status == .created)
        }
        // The registry was down for 10 minutes; its instance's last heartbeat is far older than the TTL.
        clock.advance(seconds: 600)
        try await Self.makeApp(clock: clock, directory: directory).application().test(.live) { client in
            let withinGrace = try await client.execute(uri: "/services/orders", method: .get)
            #expect(withinGrace.status == .ok)
            clock.advance(seconds: 30)
            let afterGrace = try await client.execute(uri: "/services/orders", method: .get)
            #expect(afterGrace.status == .notFound)
        }
    }
}
