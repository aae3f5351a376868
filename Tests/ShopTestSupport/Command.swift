import Foundation

/// Runs a short command (git, a Python helper, the `shop` binary) and returns its exit status and its
/// output (stdout and stderr together), waiting without blocking the cooperative pool: the output goes to a
/// temporary file, read once the process has exited.
public enum Command {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           currentDirectory: String? = nil, timeout: Duration = .seconds(120)) async throws -> Result {
        let outputPath = NSTemporaryDirectory() + "command-" + UUID().uuidString + ".out"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil), let handle = FileHandle(forWritingAtPath: outputPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let exit = ProcessExit(watching: process)
        try process.run()
        if !(await exit.wait(within: timeout)) {
            kill(process.processIdentifier, SIGKILL)
            await exit.wait()
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
    }
}
