import Foundation
import Logging

/// Serves a configuration directory that is not a git repository (such as the project's `config-repo/`,
/// which cannot ship a nested `.git`): its files are committed into a separate bare git directory, with the
/// plain directory as the work tree, and the server reads that git directory. The first start creates it
/// (`git init --bare`, branch `main` or the configured default label); every start commits the directory's
/// files again when they changed, so edits show up as a new version. Author and committer are fixed.
public struct PlainDirectorySnapshot: Sendable {
    public static let authorName = "shop config server"
    public static let authorEmail = "config-server@shop.local"

    public let directory: String
    public let gitDirectory: String
    public let branch: String
    public let git: GitCommand

    public init(directory: String, gitDirectory: String, branch: String, git: GitCommand) {
        self.directory = directory
        self.gitDirectory = gitDirectory
        self.branch = branch
        self.git = git
    }

    /// Whether `directory` is already a repository of its own (a work tree with `.git`, or a bare
    /// repository). A directory merely nested inside another repository does not count.
    public static func isRepository(_ directory: String) -> Bool {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory + "/.git") { return true }
        return fileManager.fileExists(atPath: directory + "/HEAD")
            && fileManager.fileExists(atPath: directory + "/objects")
            && fileManager.fileExists(atPath: directory + "/refs")
    }

    /// Creates or updates the snapshot; returns where to read it and the commit it is at.
    @discardableResult
    public func update(logger: Logger) async throws -> (location: GitLocation, commit: String) {
        let location = GitLocation.gitDirectory(gitDirectory)
        if !FileManager.default.fileExists(atPath: gitDirectory + "/HEAD") {
            try FileManager.default.createDirectory(atPath: gitDirectory, withIntermediateDirectories: true)
            _ = try await git.output(["init", "--quiet", "--bare", "--initial-branch=\(branch)", gitDirectory], at: nil)
            logger.info("created a git snapshot of the plain configuration directory",
                        metadata: ["directory": "\(directory)", "gitDirectory": "\(gitDirectory)"])
        }
        // Run inside the directory so that `add --all` sees exactly its files (paths are absolute).
        let workTree = ["-C", directory, "--work-tree=\(directory)"]
        _ = try await git.output(workTree + ["add", "--all"], at: location)
        let hasHead = try await git.run(["rev-parse", "--verify", "--quiet", "HEAD"], at: location).status == 0
        let changed = hasHead
            ? try await git.run(workTree + ["diff", "--cached", "--quiet", "HEAD"], at: location).status == 1
            : true
        if changed {
            _ = try await git.output([
                "-c", "user.name=\(Self.authorName)", "-c", "user.email=\(Self.authorEmail)", "-c", "commit.gpgsign=false",
            ] + workTree + ["commit", "--quiet", "--allow-empty", "--message", "Snapshot of \(directory)"], at: location)
        }
        let commit = try await git.output(["rev-parse", "--verify", "HEAD"], at: location).line
        if changed { logger.info("committed the configuration directory", metadata: ["commit": "\(commit)"]) }
        return (location, commit)
    }
}
