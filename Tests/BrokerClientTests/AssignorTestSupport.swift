import Foundation
import NIOCore

// Shared by the Partitioner, ConsumerProtocol and Assignor tests: the kafka-python oracle, a
// seeded random generator (so a failing random case can be replayed) and hex helpers.

struct PythonOracleError: Error, CustomStringConvertible {
    let description: String
}

/// Runs scripts under the venv Python that has kafka-python 3.0.12: the reference client the
/// partitioner, codecs and assignors are cross-checked against.
enum PythonOracle {
    /// Repository root: this file is <repo>/Tests/BrokerClientTests/AssignorTestSupport.swift.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A missing venv fails the test rather than skipping it: interoperability is the point.
    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["KAFKA_TEST_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PythonOracleError(description: "Python with kafka-python not found at \(path). Run `make test` "
                + "(it creates .venv with kafka-python 3.0.12) or set KAFKA_TEST_PYTHON.")
        }
        return URL(fileURLWithPath: path)
    }

    /// Fails with the fix rather than a traceback when the venv lacks the right kafka-python.
    static let prelude = """
        import sys, json
        try:
            import kafka
        except ImportError as error:
            sys.exit(f"kafka-python 3.0.12 is needed in {sys.executable} ({error}); run `make test`, which installs it")
        if kafka.__version__ != "3.0.12":
            sys.exit(f"kafka-python {kafka.__version__} found, 3.0.12 expected; run `make test`")
        with open(sys.argv[1]) as f:
            INPUT = json.load(f)

        """

    /// Runs `script` with `input` (JSON-encoded, available to the script as `INPUT`) and decodes
    /// its stdout as JSON. Everything goes through files so no pipe can fill up and block.
    static func run<Input: Encodable, Output: Decodable>(_ script: String, input: Input, as: Output.Type = Output.self) throws -> Output {
        let python = try executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brokerclient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("script.py")
        let inputURL = directory.appendingPathComponent("input.json")
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        try (prelude + script).write(to: scriptURL, atomically: true, encoding: .utf8)
        try JSONEncoder().encode(input).write(to: inputURL)
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
              FileManager.default.createFile(atPath: stderrURL.path, contents: nil) else {
            throw PythonOracleError(description: "cannot create output files in \(directory.path)")
        }
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        let process = Process()
        process.executableURL = python
        process.arguments = [scriptURL.path, inputURL.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        try process.run()
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw PythonOracleError(description: "\(python.path) failed (status \(process.terminationStatus)): \(errors)")
        }
        return try JSONDecoder().decode(Output.self, from: Data(contentsOf: stdoutURL))
    }
}

enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Decodes even-length lowercase or uppercase hex; nil on anything else.
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension ByteBuffer {
    var hexString: String { Hex.encode(readableBytesView) }
}
