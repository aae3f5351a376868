import Foundation
import Testing
@testable import ConfigServer

/// The subprocess runner's limits, with stand-ins for git: a process that hangs is killed at the deadline,
/// one that writes too much is stopped, a missing executable is a clear launch error.
@Suite struct GitCommandTests {
    @Test func aHangingProcessIsKilledAtTheDeadline() async throws {
        let command = GitCommand(executable: "/bin/sleep", timeout: .milliseconds(300))
        let started = ContinuousClock.now
        await #expect {
            _ = try await command.run(["300"], at: nil)
        } throws: { error in
            guard case GitError.timedOut = error else { return false }
            return "\(error)".contains("CONFIG_GIT_TIMEOUT_SECONDS")
        }
        // Killed, not run to its end (300 s); the bound is loose because the machine may be busy.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func outputBeyondTheLimitIsRefused() async throws {
        let command = GitCommand(executable: "/usr/bin/yes", timeout: .seconds(10), outputLimit: 10_000)
        await #expect {
            _ = try await command.run(["configuration"], at: nil)
        } throws: { error in
            guard case GitError.outputTooLarge(_, let limit) = error else { return false }
            return limit == 10_000
        }
    }

    @Test func aMissingExecutableIsALaunchError() async throws {
        let command = GitCommand(executable: "/nonexistent/git")
        await #expect {
            _ = try await command.run(["status"], at: nil)
        } throws: { error in
            guard case GitError.launchFailed = error else { return false }
            return "\(error)".contains("CONFIG_GIT_PATH")
        }
    }

    @Test func subcommandNamesSkipGlobalOptions() {
        #expect(GitCommand.subcommand(of: ["-C", "/repo", "--work-tree=/repo", "add", "--all"]) == "add")
        #expect(GitCommand.subcommand(of: ["-c", "user.name=x", "commit", "-m", "m"]) == "commit")
    }
}
