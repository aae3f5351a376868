/// Where git finds the repository: a directory holding a work tree (or a bare repository), passed with
/// `-C`, or a git directory used on its own with `--git-dir` (the snapshot of a plain directory).
public enum GitLocation: Sendable, Equatable {
    case directory(String)
    case gitDirectory(String)

    /// The global options that select the repository; they precede the subcommand.
    var arguments: [String] {
        switch self {
        case .directory(let path): ["-C", path]
        case .gitDirectory(let path): ["--git-dir=\(path)"]
        }
    }
}
