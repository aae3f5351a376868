/// A git invocation that did not give an answer: it could not start, ran out of time, wrote more than
/// allowed, or exited with an error. Each case names the git subcommand so the message says what failed.
public enum GitError: Error, Sendable, CustomStringConvertible {
    case launchFailed(executable: String, reason: String)
    case timedOut(subcommand: String, after: Duration)
    case outputTooLarge(subcommand: String, limit: Int)
    case failed(subcommand: String, status: Int32, stderr: String)

    public var description: String {
        switch self {
        case .launchFailed(let executable, let reason):
            "could not run git (\(executable)): \(reason); install git or set CONFIG_GIT_PATH"
        case .timedOut(let subcommand, let after):
            "git \(subcommand) did not finish within \(after) (CONFIG_GIT_TIMEOUT_SECONDS)"
        case .outputTooLarge(let subcommand, let limit):
            "git \(subcommand) wrote more than \(limit) bytes; configuration files must be smaller"
        case .failed(let subcommand, let status, let stderr):
            "git \(subcommand) exited with status \(status): \(stderr.isEmpty ? "(no message)" : stderr)"
        }
    }
}
