import AsyncHTTPClient
import Foundation
import NIOCore
import ShopTestSupport
import Testing

/// `shop serve config` and a service that depends on it, as real processes.
@Suite struct ConfigServerProcessTests {
    static func temporaryDirectory() -> String { NSTemporaryDirectory() + "config-process-" + UUID().uuidString }

    @Test func shopServeConfigAnswersOverHTTP() async throws {
        let repo = try GitRepoFixture()
        defer { repo.remove() }
        let head = try repo.commit("one", files: ["application.properties": "LOG_LEVEL=info\n", "iam-dev.properties": "LOG_LEVEL=debug\n"])
        let data = Self.temporaryDirectory()
        let server = try await ServiceProcess(service: "config", environment: ["CONFIG_REPO_DIR": repo.directory, "DATA_DIR": data, "LOG_LEVEL": "warning"])
        defer { server.cleanUp(removing: [data]) }

        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: server.baseURL + "/iam/dev"), timeout: .seconds(10))
        #expect(response.status.code == 200)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(body.contains(#""LOG_LEVEL":"debug""#))
        #expect(body.contains(head))
        #expect(body.contains(#""status":"SUCCESS""#))
    }

    @Test func aServiceStartingWithoutItsConfigServerExitsWithAClearMessage() async throws {
        let data = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let url = closed.url
        let log = data + "/iam.log"
        do {
            let iam = try await ServiceProcess(service: "iam", environment: [
                "DATA_DIR": data, "CONFIG_SERVER_URL": url, "CONFIG_SERVER_ATTEMPTS": "1",
                "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:\(BrokerProcess.freePort())",
            ], logFile: log)
            await iam.stop()
            Issue.record("iam must not start without its config server")
        } catch let error as ServiceProcessError {
            guard case .didNotStart(_, let exitCode) = error else { return }
            #expect(exitCode == 1)
            let output = try String(contentsOfFile: log, encoding: .utf8)
            #expect(output.contains("config server did not answer GET \(url)/iam/default"))
            #expect(output.contains("CONFIG_SERVER_OPTIONAL=true"))
        }
    }
}
