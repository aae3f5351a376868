import Foundation
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// `RemoteConfiguration.merged` against a live config server: the environment wins, the label is passed
/// through, and a missing server is a clear error unless the configuration is optional.
@Suite struct RemoteConfigurationTests {
    static func repository() throws -> GitRepoFixture {
        let repo = try GitRepoFixture()
        try repo.commit("one", files: [
            "application.properties": "LOG_LEVEL=info\nLOG_FORMAT=json\nSHARED=yes\n",
            "iam.properties": "IAM_ACCESS_TOKEN_TTL_SECONDS=900\n",
            "iam-dev.properties": "LOG_LEVEL=debug\nIAM_ACCESS_TOKEN_TTL_SECONDS=3600\n",
        ])
        try repo.git("tag", "v1")
        try repo.commit("two", files: ["iam.properties": "IAM_ACCESS_TOKEN_TTL_SECONDS=1200\n"])
        return repo
    }

    final class Warnings: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func theEnvironmentWinsOverTheConfigServer() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let environment = [
                "CONFIG_SERVER_URL": client.baseURL, "SHOP_PROFILE": "dev", "CONFIG_SERVER_TIMEOUT_SECONDS": "60",
                "LOG_LEVEL": "error",  // set: wins
                "LOG_FORMAT": "",      // set but empty: the server's value fills it, as if unset
                "ONLY_IN_ENV": "1",
            ]
            let merged = try await RemoteConfiguration.merged(environment: environment, application: "iam")
            #expect(merged["LOG_LEVEL"] == "error")
            #expect(merged["LOG_FORMAT"] == "json")
            #expect(merged["IAM_ACCESS_TOKEN_TTL_SECONDS"] == "3600")
            #expect(merged["SHARED"] == "yes")
            #expect(merged["ONLY_IN_ENV"] == "1")
            #expect(merged["CONFIG_SERVER_URL"] == client.baseURL)
            // And the result feeds ServiceConfig as any environment does.
            let config = try ServiceConfig(serviceName: "iam", defaultPort: 8081, environment: merged)
            #expect(config.logLevel == "error")
            #expect(config.logFormat == "json")
        }
    }

    @Test func profileDefaultsToDefaultAndLabelIsPassedThrough() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let latest = try await RemoteConfiguration.merged(environment: ["CONFIG_SERVER_URL": client.baseURL + "/", "CONFIG_SERVER_TIMEOUT_SECONDS": "60"], application: "iam")
            #expect(latest["IAM_ACCESS_TOKEN_TTL_SECONDS"] == "1200")
            #expect(latest["LOG_LEVEL"] == "info")
            let tagged = try await RemoteConfiguration.merged(
                environment: ["CONFIG_SERVER_URL": client.baseURL, "CONFIG_LABEL": "v1", "CONFIG_SERVER_TIMEOUT_SECONDS": "60"], application: "iam")
            #expect(tagged["IAM_ACCESS_TOKEN_TTL_SECONDS"] == "900")
        }
    }

    @Test func anUnknownLabelIsRefusedWithoutRetries() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            // A retry would wait a minute first: an answer well before that means there was none. (The server
            // runs in this busy test process: its answer may take seconds, which must not count as no answer.)
            let environment = ["CONFIG_SERVER_URL": client.baseURL, "CONFIG_LABEL": "v9", "CONFIG_SERVER_RETRY_DELAY_MS": "60000",
                               "CONFIG_SERVER_TIMEOUT_SECONDS": "45"]
            let started = ContinuousClock.now
            do {
                _ = try await RemoteConfiguration.merged(environment: environment, application: "iam")
                Issue.record("an unknown label must fail")
            } catch let error as RemoteConfigurationError {
                guard case .rejected(let url, let status, _) = error else { Issue.record("\(error)"); return }
                #expect(status == 404)
                #expect(url == client.baseURL + "/iam/default/v9")
                #expect("\(error)".contains("CONFIG_LABEL"))
            }
            #expect(ContinuousClock.now - started < .seconds(50))
        }
    }

    @Test func anUnreachableServerFailsWithAClearMessage() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let url = closed.url
        let environment = ["CONFIG_SERVER_URL": url, "CONFIG_SERVER_ATTEMPTS": "2", "CONFIG_SERVER_RETRY_DELAY_MS": "10",
                           "CONFIG_SERVER_TIMEOUT_SECONDS": "2"]
        do {
            _ = try await RemoteConfiguration.merged(environment: environment, application: "iam")
            Issue.record("an unreachable server must fail")
        } catch let error as RemoteConfigurationError {
            guard case .unreachable(let failedURL, let attempts, _) = error else { Issue.record("\(error)"); return }
            #expect(failedURL == url + "/iam/default")
            #expect(attempts == 2)
            let message = "\(error)"
            #expect(message.contains(url))
            #expect(message.contains("shop serve config"))
            #expect(message.contains("CONFIG_SERVER_OPTIONAL=true"))
        }
    }

    @Test func anOptionalServerFallsBackToTheEnvironment() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let url = closed.url
        let environment = ["CONFIG_SERVER_URL": url, "CONFIG_SERVER_OPTIONAL": "true", "CONFIG_SERVER_ATTEMPTS": "1",
                           "LOG_LEVEL": "warning"]
        let warnings = Warnings()
        let merged = try await RemoteConfiguration.merged(environment: environment, application: "iam") { warnings.append($0) }
        #expect(merged == environment)
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains(url) == true)
        #expect(warnings.all.first?.contains("environment alone") == true)
    }

    @Test func withoutAURLTheEnvironmentIsUnchanged() async throws {
        let environment = ["LOG_LEVEL": "debug", "SHOP_PROFILE": "dev"]
        #expect(try await RemoteConfiguration.merged(environment: environment, application: "iam") == environment)
    }

    @Test func settingsAreValidated() throws {
        #expect(throws: ConfigError.self) {
            _ = try RemoteConfigurationSettings(environment: ["CONFIG_SERVER_URL": "127.0.0.1:8888"], application: "iam")
        }
        #expect(throws: ConfigError.self) {
            _ = try RemoteConfigurationSettings(environment: ["CONFIG_SERVER_URL": "http://x", "CONFIG_SERVER_OPTIONAL": "maybe"], application: "iam")
        }
        let settings = try RemoteConfigurationSettings(
            environment: ["CONFIG_SERVER_URL": "http://config:8888/", "SHOP_PROFILE": "dev,eu", "CONFIG_LABEL": "release/eu"],
            application: "iam")
        #expect(settings?.requestURL == "http://config:8888/iam/dev,eu/release(_)eu")
    }
}
