/// Why a configuration request could not be answered, with what the client or operator needs to fix it.
public enum ConfigServerError: Error, Sendable, CustomStringConvertible {
    /// An application, profile or label that is not an acceptable name (400).
    case invalidName(field: String, value: String, reason: String)
    /// No branch, tag or commit of that name in the repository (404).
    case unknownLabel(String)
    /// A configuration file at that commit is not in the properties format (500).
    case invalidFile(name: String, commit: String, line: Int, reason: String)
    /// git could not answer (500, or 503 on a timeout).
    case git(GitError)

    public var description: String {
        switch self {
        case .invalidName(let field, let value, let reason):
            "\(field) '\(value)' is invalid: \(reason)"
        case .unknownLabel(let label):
            "Unknown label '\(label)': no branch, tag or commit of that name in the configuration repository"
        case .invalidFile(let name, let commit, let line, let reason):
            "\(name) at \(commit.prefix(12)), line \(line): \(reason)"
        case .git(let error):
            "Reading the configuration repository failed: \(error)"
        }
    }
}
