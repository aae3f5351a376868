import Foundation

/// A real git repository in a temporary directory, built commit by commit with the git CLI.
struct GitRepoFixture {
    let directory: String

    /// `git init` with `branch` as the initial branch.
    init(initialBranch: String = "main") throws {
        directory = NSTemporaryDirectory() + "config-repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try git("init", "--quiet", "--initial-branch=\(initialBranch)")
    }

    /// A plain directory (no git) with these files.
    static func plainDirectory(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "config-plain-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    func delete(_ name: String) throws {
        try FileManager.default.removeItem(atPath: directory + "/" + name)
    }

    /// Writes the files, commits everything and answers the new commit id.
    @discardableResult
    func commit(_ message: String, files: [String: String] = [:]) throws -> String {
        for (name, contents) in files { try write(name, contents) }
        try git("add", "--all")
        try git("-c", "user.name=Test", "-c", "user.email=test@shop.test", "-c", "commit.gpgsign=false",
                "commit", "--quiet", "--allow-empty", "--message", message)
        return try git("rev-parse", "HEAD")
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        try Self.run(["-C", directory] + arguments)
    }

    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
