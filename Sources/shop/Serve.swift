import ArgumentParser
import ConfigServer
import Foundation
import Logging
import ServiceKit

/// `shop serve <service>`: one service in the foreground until SIGTERM or Ctrl-C.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service in the foreground.",
        discussion: "Services: \(Services.names.joined(separator: ", ")). Exit code 0 after a clean stop, 1 when start-up fails (the message says why)."
    )

    @Argument(help: "The service to run: \(Services.names.joined(separator: ", ")).")
    var service: String

    @Option(help: "Port to listen on (env PORT; default: the service's own port).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Directory for the service's database (env DATA_DIR; default ./.data).")
    var dataDirectory: String?

    func validate() throws {
        guard Services.named(service) != nil else {
            throw ValidationError("unknown service '\(service)'; choose from \(Services.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        guard let implementation = Services.named(service) else { throw ExitCode(1) }
        var environment = ProcessInfo.processInfo.environment
        if let port { environment["PORT"] = String(port) }
        if let dataDirectory { environment["DATA_DIR"] = dataDirectory }
        ParentWatch.start(environment: environment)
        do {
            // The config server's values sit under the environment; the config server itself has none.
            let remote = implementation.name == ConfigServerApp.name ? [:]
                : try await RemoteConfiguration.remote(environment: environment, application: implementation.name) { warning in
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
            let processEnvironment = environment
            environment = RemoteConfiguration.overlay(environment, on: remote)
            let config = try ServiceConfig(serviceName: implementation.name, defaultPort: implementation.defaultPort, environment: environment)
            JSONLogHandler.bootstrap(service: config.serviceName, format: config.logFormat, level: config.logLevel)
            let logger = Logger(label: implementation.name)
            for unknown in SettingsAudit.unknownKeys(service: implementation.name, known: implementation.settingNames,
                                                     otherServices: Services.all.map { $0.name },
                                                     remote: remote, environment: processEnvironment) {
                logger.warning("unknown configuration key; it is ignored (misspelt, or meant for another service?)",
                               metadata: ["key": "\(unknown.key)", "source": "\(unknown.source.rawValue)"])
            }
            try await implementation.run(config: config, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("shop serve \(service): \(error)\n".utf8))
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
