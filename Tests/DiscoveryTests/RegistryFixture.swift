import Foundation
import ShopTestSupport

/// A real `shop serve discovery` process with its own data directory; restartable on the same port and data.
final class RegistryFixture: @unchecked Sendable {
    // @unchecked: `registry` is replaced only by the test that owns the fixture, on its own task.
    let dataDirectory: String
    let environment: [String: String]
    var registry: ServiceProcess
    private var starts = 1

    var client: EnvelopeClient { EnvelopeClient(baseURL: registry.baseURL) }
    var url: String { registry.baseURL }

    init(port: Int? = nil, extraEnvironment: [String: String] = [:]) async throws {
        dataDirectory = NSTemporaryDirectory() + "discovery-tests-" + UUID().uuidString
        var environment = ["DATA_DIR": dataDirectory, "LOG_LEVEL": "warning"]
        for (key, value) in extraEnvironment { environment[key] = value }
        self.environment = environment
        registry = try await ServiceProcess(service: "discovery", port: port, environment: environment,
                                            logFile: dataDirectory + "-discovery-1.log")
    }

    /// SIGTERM the registry and start it again on the same port and data directory.
    func restart() async throws {
        await registry.stop()
        starts += 1
        registry = try await ServiceProcess(service: "discovery", port: registry.port, environment: environment,
                                            logFile: dataDirectory + "-discovery-\(starts).log")
    }

    /// For `defer`: stops the registry and removes its data and logs without waiting here.
    func stop() {
        registry.cleanUp(removing: [dataDirectory] + (1...starts).map { dataDirectory + "-discovery-\($0).log" })
    }
}
