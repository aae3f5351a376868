import Foundation
import Logging
import ServiceKit

/// The config server process (port 8888): configuration per application, profile and git label from a
/// repository read with git. See `ConfigResolver` for the merge order, `PropertiesFile` for the format and
/// `ConfigServerSettings` for its environment variables.
public enum ConfigServerApp: ShopService {
    public static let name = "config"
    public static var settingNames: [String] { ConfigServerSettings.settingNames }

    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, logger: Logger(label: name))
    }

    /// The assembled application (tests run it in-process with `.live`).
    public static func makeApp(config: ServiceConfig, environment: [String: String], logger: Logger) async throws -> ServiceApp {
        let settings = try ConfigServerSettings(config: config, environment: environment)
        let git = GitCommand(executable: settings.gitExecutable, timeout: settings.gitTimeout)
        let location = try await repositoryLocation(settings: settings, git: git, logger: logger)
        let repository = GitRepository(location: location, git: git)
        let resolver = ConfigResolver(repository: repository, defaultLabel: settings.defaultLabel)
        // Fail at start, not on the first request, when the default label names nothing.
        let label = try await resolver.resolveLabel(nil)
        guard let commit = try await repository.commit(for: label) else {
            throw ConfigError.invalid(name: "CONFIG_DEFAULT_LABEL", value: label.name,
                                      expected: "a branch, tag or commit of \(settings.repositoryDirectory) (it has no commit there)")
        }
        logger.info("serving configuration", metadata: [
            "repository": "\(settings.repositoryDirectory)", "defaultLabel": "\(label)", "commit": "\(commit)",
        ])

        let app = ServiceApp(config: config, logger: logger)
        ConfigServerRoutes(resolver: resolver).register(on: app)
        app.addReadinessCheck(ReadinessCheck("repository") {
            (try? await repository.commit(for: label)) != nil
        })
        return app
    }

    static func repositoryLocation(settings: ConfigServerSettings, git: GitCommand, logger: Logger) async throws -> GitLocation {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.repositoryDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError.invalid(name: "CONFIG_REPO_DIR", value: settings.repositoryDirectory,
                                      expected: "an existing directory (a git repository, or plain files to snapshot)")
        }
        if PlainDirectorySnapshot.isRepository(settings.repositoryDirectory) {
            return .directory(settings.repositoryDirectory)
        }
        let snapshot = PlainDirectorySnapshot(directory: settings.repositoryDirectory, gitDirectory: settings.snapshotDirectory,
                                              branch: settings.defaultLabel?.name ?? "main", git: git)
        return try await snapshot.update(logger: logger).location
    }
}
