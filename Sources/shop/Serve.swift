import ArgumentParser
import Foundation
import ConfigServer
import Discovery
import Gateway
import IAMService
import Logging
import ServiceKit

/// `shop serve <service>`: one service in the foreground until SIGTERM or Ctrl-C.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service in the foreground.",
        discussion: "Services: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")). Exit code 0 after a clean stop, 1 when start-up fails (the message says why)."
    )

    enum ServiceName: String, CaseIterable, ExpressibleByArgument {
        case iam, discovery, config, gateway

        var defaultPort: Int {
            switch self {
            case .iam: 8081
            case .discovery: 8761
            case .config: 8888
            case .gateway: 8080
            }
        }
    }

    @Argument(help: "The service to run.")
    var service: ServiceName

    @Option(help: "Port to listen on (env PORT; default: the service's own port).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for the service's database (env DATA_DIR; default ./.data).")
    var dataDirectory: String?

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let port { environment["PORT"] = String(port) }
        if let dataDirectory { environment["DATA_DIR"] = dataDirectory }
        ParentWatch.start(environment: environment)
        do {
            // The config server's values sit under the environment; the config server itself has none.
            if service != .config {
                environment = try await RemoteConfiguration.merged(environment: environment, application: service.rawValue)
            }
            let config = try ServiceConfig(serviceName: service.rawValue, defaultPort: service.defaultPort, environment: environment)
            JSONLogHandler.bootstrap(service: config.serviceName, format: config.logFormat, level: config.logLevel)
            switch service {
            case .iam: try await IAMServer.run(config: config, environment: environment)
            case .discovery: try await DiscoveryServer.run(config: config, environment: environment)
            case .config: try await ConfigServerApp.run(config: config, environment: environment)
            case .gateway: try await GatewayServer.run(config: config, environment: environment)
            }
        } catch {
            FileHandle.standardError.write(Data("shop serve \(service.rawValue): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Under `shop up` (SHOP_UP_PID set): when that parent dies without stopping us (SIGKILL), we are
/// re-parented; then stop gracefully instead of living on as an orphan.
enum ParentWatch {
    static func start(environment: [String: String]) {
        guard let value = environment["SHOP_UP_PID"], let parent = Int32(value), getppid() == parent else { return }
        Thread.detachNewThread {
            while getppid() == parent { sleep(1) }
            kill(getpid(), SIGTERM)
        }
    }
}
