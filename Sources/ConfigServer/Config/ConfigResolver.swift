import Foundation

/// Answers one configuration request from the repository at a label.
///
/// Merge order, least specific first; each later file overrides the keys of the earlier ones:
/// 1. `application.properties` (shared by every application and profile)
/// 2. `application-{profile}.properties`, for each profile left to right
/// 3. `{application}.properties`
/// 4. `{application}-{profile}.properties`, for each profile left to right
///
/// Missing files are skipped. With profiles `dev,eu` the `eu` files win over the `dev` files of the same
/// level. The label defaults to `CONFIG_DEFAULT_LABEL`, else the branch HEAD points at, else `main`.
public struct ConfigResolver: Sendable {
    public static let fileExtension = "properties"

    public let repository: GitRepository
    /// `CONFIG_DEFAULT_LABEL`, when set.
    public let defaultLabel: ConfigLabel?

    public init(repository: GitRepository, defaultLabel: ConfigLabel?) {
        self.repository = repository
        self.defaultLabel = defaultLabel
    }

    /// The file names to read, in merge order (least specific first), without duplicates.
    public static func fileNames(application: ConfigName, profiles: [ConfigName]) -> [String] {
        var names: [String] = ["application"]
        names += profiles.map { "application-\($0.value)" }
        names.append(application.value)
        names += profiles.map { "\(application.value)-\($0.value)" }
        var seen: Set<String> = []
        return names.map { "\($0).\(fileExtension)" }.filter { seen.insert($0).inserted }
    }

    public func environment(application rawApplication: String, profiles rawProfiles: String, label rawLabel: String?) async throws(ConfigServerError) -> ConfigEnvironment {
        let application = try ConfigName(rawApplication, field: "application")
        let profiles = try ConfigName.profiles(rawProfiles)
        let label = try await resolveLabel(rawLabel)
        do {
            guard let commit = try await repository.commit(for: label) else { throw ConfigServerError.unknownLabel(label.name) }
            let present = try await repository.topLevelFiles(at: commit)
            var sources: [ConfigEnvironment.PropertySource] = []
            var merged: [String: String] = [:]
            for name in Self.fileNames(application: application, profiles: profiles) where present.contains(name) {
                let data = try await repository.file(name, at: commit)
                let properties: [String: String]
                do {
                    properties = try PropertiesFile.parse(data)
                } catch {
                    throw ConfigServerError.invalidFile(name: name, commit: commit, line: error.line, reason: error.reason)
                }
                merged.merge(properties) { _, later in later }
                sources.append(.init(name: name, source: properties))
            }
            return ConfigEnvironment(name: application.value, profiles: profiles.map(\.value), label: label.name,
                                     version: commit, propertySources: sources.reversed(), properties: merged)
        } catch let error as ConfigServerError {
            throw error
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .git(.failed(subcommand: "(unknown)", status: -1, stderr: "\(error)"))
        }
    }

    func resolveLabel(_ raw: String?) async throws(ConfigServerError) -> ConfigLabel {
        if let raw { return try ConfigLabel(raw) }
        if let defaultLabel { return defaultLabel }
        do {
            if let branch = try await repository.currentBranch() { return try ConfigLabel(branch) }
        } catch let error as GitError {
            throw .git(error)
        } catch {
            // A branch name outside the accepted label syntax: fall back to main.
        }
        return try ConfigLabel("main")
    }
}
