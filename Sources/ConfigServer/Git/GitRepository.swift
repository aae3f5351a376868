import Foundation

/// Read-only questions to one repository, each answered by git itself at a commit: which commit a label
/// names, which files that commit holds at its top level, and a file's content there. Labels reach this type
/// only after `ConfigLabel` validated them; commit ids come from git.
public struct GitRepository: Sendable {
    public let location: GitLocation
    public let git: GitCommand

    public init(location: GitLocation, git: GitCommand) {
        self.location = location
        self.git = git
    }

    /// The branch HEAD points at (`main`, `trunk`…), or nil when HEAD is detached.
    public func currentBranch() async throws -> String? {
        let output = try await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"], at: location)
        switch output.status {
        case 0: return output.line.isEmpty ? nil : output.line
        case 1: return nil
        default: throw GitError.failed(subcommand: "symbolic-ref", status: output.status, stderr: output.stderr)
        }
    }

    /// The full commit id a branch, tag or (abbreviated) commit id names, or nil when it names nothing.
    public func commit(for label: ConfigLabel) async throws -> String? {
        let output = try await git.run(["rev-parse", "--verify", "--quiet", label.name + "^{commit}"], at: location)
        switch output.status {
        case 0:
            let id = output.line
            guard id.count >= 40, id.allSatisfy(\.isHexDigit) else {
                throw GitError.failed(subcommand: "rev-parse", status: 0, stderr: "unexpected answer '\(id)'")
            }
            return id
        case 1 where output.stderr.isEmpty || output.stderr.contains("Needed a single revision"):
            return nil
        default:
            throw GitError.failed(subcommand: "rev-parse", status: output.status, stderr: output.stderr)
        }
    }

    /// The names of the files (blobs) at the top level of `commit`.
    public func topLevelFiles(at commit: String) async throws -> Set<String> {
        let output = try await git.output(["ls-tree", "-z", commit], at: location)
        var names: Set<String> = []
        // Each entry: "<mode> <type> <object>\t<name>\0".
        for entry in output.stdout.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let tab = text.firstIndex(of: "\t") else { continue }
            let header = text[..<tab].split(separator: " ")
            guard header.count == 3, header[1] == "blob" else { continue }
            names.insert(String(text[text.index(after: tab)...]))
        }
        return names
    }

    /// The content of the top-level file `name` at `commit`.
    public func file(_ name: String, at commit: String) async throws -> Data {
        try await git.output(["cat-file", "blob", "\(commit):\(name)"], at: location).stdout
    }
}
