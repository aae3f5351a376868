import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import ConfigServer
import ServiceKit
import ShopTestSupport

/// The assembled config server for one repository, run with `.live` (a real socket on a free port).
enum ConfigServerFixture {
    static var logger: Logger {
        var logger = Logger(label: "config-test")
        logger.logLevel = .warning
        return logger
    }

    static func makeApp(repository: String, extra: [String: String] = [:]) async throws -> ServiceApp {
        var environment = ["CONFIG_REPO_DIR": repository, "DATA_DIR": NSTemporaryDirectory() + "config-data-" + UUID().uuidString,
                           // git runs as a child process on a machine the whole suite keeps busy: a bound, not a target.
                           "CONFIG_GIT_TIMEOUT_SECONDS": "60"]
        for (key, value) in extra { environment[key] = value }
        let config = try ServiceConfig(serviceName: "config", defaultPort: 0, environment: environment)
        return try await ConfigServerApp.makeApp(config: config, environment: environment, logger: logger)
    }

    /// Runs the server for `repository` and hands the test a client and the server's base URL.
    @discardableResult
    static func withServer<Value: Sendable>(repository: String, extra: [String: String] = [:],
                                            _ body: @Sendable (EnvelopeClient) async throws -> Value) async throws -> Value {
        let app = try await makeApp(repository: repository, extra: extra)
        return try await app.application().test(.live) { client in
            guard let port = client.port else { throw FixtureError("the live test client has no port") }
            return try await body(EnvelopeClient(baseURL: "http://127.0.0.1:\(port)"))
        }
    }
}

extension EnvelopeClient.Answer {
    /// The config server's answer (`data`).
    var environment: ConfigEnvironment { get throws { try decodeData(ConfigEnvironment.self) } }
}

extension EnvelopeClient {
    /// The merged properties of a successful answer.
    func properties(_ path: String) async throws -> [String: String] {
        let answer = try await get(path)
        guard answer.status == 200 else { throw FixtureError("GET \(path): \(answer.status) \(answer.message ?? answer.text)") }
        return try answer.environment.properties
    }
}
