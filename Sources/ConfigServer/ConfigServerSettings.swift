import Foundation
import ServiceKit

/// The config server's own settings, from the environment:
/// - `CONFIG_REPO_DIR` (default `./config-repo`): the configuration repository. A git work tree or bare
///   repository is read as it is; a plain directory is snapshotted into `CONFIG_SNAPSHOT_DIR` first.
/// - `CONFIG_SNAPSHOT_DIR` (default `<DATA_DIR>/config/snapshot.git`): where a plain directory's git snapshot lives.
/// - `CONFIG_DEFAULT_LABEL` (default: the branch HEAD points at, else `main`): the label of `GET /{app}/{profile}`.
/// - `CONFIG_GIT_PATH` (default: `git` on `PATH`), `CONFIG_GIT_TIMEOUT_SECONDS` (default 10).
public struct ConfigServerSettings: Sendable {
    public var repositoryDirectory: String
    public var snapshotDirectory: String
    public var defaultLabel: ConfigLabel?
    public var gitExecutable: String
    public var gitTimeout: Duration

    public init(config: ServiceConfig, environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        repositoryDirectory = Self.absolute(env.string("CONFIG_REPO_DIR", default: "./config-repo"))
        snapshotDirectory = Self.absolute(env.string("CONFIG_SNAPSHOT_DIR", default: config.dataDirectory + "/config/snapshot.git"))
        if let label = env.optional("CONFIG_DEFAULT_LABEL") {
            do {
                defaultLabel = try ConfigLabel(label)
            } catch {
                throw ConfigError.invalid(name: "CONFIG_DEFAULT_LABEL", value: label, expected: "a branch, tag or commit name (\(error))")
            }
        }
        if let path = env.optional("CONFIG_GIT_PATH") {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ConfigError.invalid(name: "CONFIG_GIT_PATH", value: path, expected: "the path of an executable git")
            }
            gitExecutable = path
        } else if let found = GitCommand.locate(path: environment["PATH"]) {
            gitExecutable = found
        } else {
            throw ConfigError.missing(name: "CONFIG_GIT_PATH", why: "no git on PATH; the config server reads its repository with git (apt-get install git)")
        }
        gitTimeout = try env.seconds("CONFIG_GIT_TIMEOUT_SECONDS", default: 10)
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }

    public static let settingNames = [
        "CONFIG_REPO_DIR", "CONFIG_SNAPSHOT_DIR", "CONFIG_DEFAULT_LABEL", "CONFIG_GIT_PATH", "CONFIG_GIT_TIMEOUT_SECONDS",
    ]
}
