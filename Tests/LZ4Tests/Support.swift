import ShopTestSupport
import Foundation
import LZ4
import Testing

// MARK: - Deterministic payloads


struct Payload: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    var testDescription: String { "\(name) (\(bytes.count) bytes)" }
}

enum Payloads {
    /// Incompressible, so liblz4 stores blocks uncompressed (the block size's high bit).
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            while offset + 8 <= count {  // word at a time: byte loops are slow in debug builds
                raw.storeBytes(of: rng.next().littleEndian, toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            var last = rng.next()
            while offset < count {
                raw[offset] = UInt8(truncatingIfNeeded: last)
                last >>= 8
                offset += 1
            }
            initialized = count
        }
    }

    /// Record-like text with varying numbers: compresses well but not trivially.
    static func text(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let words: [[UInt8]] = ["{\"order\":", ",\"sku\":\"SKU-", "\",\"qty\":", ",\"status\":\"shipped\"}\n",
                                ",\"status\":\"pending\"}\n"].map { Array($0.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(count + 64)
        var order = 0
        while out.count < count {
            order += 1
            out += words[0]
            out += Array(String(order).utf8)
            out += words[1]
            out += Array(String(rng.next() % 5000).utf8)
            out += words[2]
            out += Array(String(rng.next() % 10).utf8)
            out += words[rng.next() % 2 == 0 ? 3 : 4]
        }
        out.removeLast(out.count - count)
        return out
    }

    static let empty = Payload(name: "empty", bytes: [])
    static let tiny = Payload(name: "tiny", bytes: Array("kafka".utf8))
    static let text300K = Payload(name: "text-300KB", bytes: text(300_000, seed: 1))
    static let random200K = Payload(name: "random-200KB", bytes: random(200_000, seed: 2))
    /// Over 4 MB so even 4 MB blocks split; random first so a 4 MB block is stored
    /// uncompressed and the tail is compressed.
    static let mixed5M = Payload(name: "mixed-5MB", bytes: random(4_400_000, seed: 3) + text(900_000, seed: 4))

    static let all: [Payload] = [empty, tiny, text300K, random200K, mixed5M]
    /// Large enough that no producer shrinks the block size or drops block linking.
    static let large = mixed5M
}

// MARK: - Byte helpers (memcmp/memcpy: element-wise loops are slow in debug builds)

func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            guard let x = pa.baseAddress, let y = pb.baseAddress else { return true }  // both empty
            return memcmp(x, y, pa.count) == 0
        }
    }
}

func mismatchSummary(_ actual: [UInt8], _ expected: [UInt8]) -> String {
    if actual.count != expected.count { return "length \(actual.count), expected \(expected.count)" }
    let first = actual.indices.first { actual[$0] != expected[$0] } ?? -1
    return "same length \(actual.count), first difference at byte \(first)"
}

func readBytes(_ url: URL) throws -> [UInt8] {
    let data = try Data(contentsOf: url)
    return [UInt8](unsafeUninitializedCapacity: data.count) { buffer, initialized in
        data.withUnsafeBytes { raw in
            if let src = raw.baseAddress, let dst = buffer.baseAddress { memcpy(dst, src, raw.count) }
        }
        initialized = data.count
    }
}

func writeBytes(_ bytes: [UInt8], to url: URL) throws {
    let data = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Data(bytes: $0, count: raw.count) } ?? Data() }
    try data.write(to: url)
}

/// FLG and BD bytes of a frame, which say which producer options were in effect.
struct FrameHeader: Equatable, CustomStringConvertible {
    let flg: UInt8
    let bd: UInt8
    init?(_ frame: [UInt8]) {
        guard frame.count >= 7, frame[0..<4] == [0x04, 0x22, 0x4D, 0x18] else { return nil }
        flg = frame[4]
        bd = frame[5]
    }
    init(flg: UInt8, bd: UInt8) {
        self.flg = flg
        self.bd = bd
    }
    var description: String { String(format: "FLG 0x%02X BD 0x%02X", flg, bd) }

    static let version1: UInt8 = 0x40
    static let independent: UInt8 = 0x20
    static let blockChecksum: UInt8 = 0x10
    static let contentSize: UInt8 = 0x08
    static let contentChecksum: UInt8 = 0x04
    /// BD byte for block-size IDs 4...7 (64 KB ... 4 MB).
    static func bd(_ sizeID: UInt8) -> UInt8 { sizeID << 4 }
}

// MARK: - External tools

struct ToolError: Error, CustomStringConvertible {
    let description: String
}

enum Tools {
    /// Repository root: this file is <repo>/Tests/LZ4Tests/Support.swift.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The virtualenv Python with python-lz4. Missing tools fail the test instead of skipping
    /// it: interoperability is the point of these tests.
    static func python() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["LZ4_TEST_PYTHON"] ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ToolError(description: "Python with python-lz4 not found at \(path). Run `make test` (it creates .venv with lz4 installed) or set LZ4_TEST_PYTHON.")
        }
        return URL(fileURLWithPath: path)
    }

    /// Prepended to every Python script so a venv without python-lz4 fails with the fix, not a traceback.
    static let pythonPrelude = """
        import sys
        try:
            import lz4.frame
        except ImportError:
            sys.exit(f"python-lz4 is not installed for {sys.executable}; run `make test`, which installs it")

        """

    static func lz4() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["LZ4_TEST_LZ4"] { candidates.append(explicit) }
        candidates.append("/usr/bin/lz4")
        candidates += (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/lz4" }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolError(description: "The lz4 command-line tool was not found (looked at \(candidates)). Run `make test` (it installs lz4) or set LZ4_TEST_LZ4.")
        }
        return URL(fileURLWithPath: path)
    }

    /// Runs a tool to completion; output goes through files so a chatty tool cannot block on a full pipe.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> [UInt8] {
        let stdoutURL = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
            FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        else { throw ToolError(description: "cannot create output files in \(directory.path)") }
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        try process.run()
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()
        let output = try readBytes(stdoutURL)
        let errors = String(decoding: try readBytes(stderrURL), as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let shown = arguments.map { $0.count > 80 ? "<script>" : $0 }.joined(separator: " ")
            throw ToolError(description: "\(executable.path) \(shown) failed (status \(process.terminationStatus)): \(errors)")
        }
        return output
    }
}

/// A fresh directory under the system temp dir, removed afterwards even if `body` throws.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lz4tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Runs `body`, which must throw an `LZ4Error`, and returns it (nil and a recorded failure otherwise).
/// Takes an untyped closure because closures do not infer typed throws; the cast checks the type.
@discardableResult
func expectLZ4Error(
    _ comment: @autoclosure () -> Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> LZ4Error? {
    do {
        try body()
    } catch let error as LZ4Error {
        return error
    } catch {
        Issue.record("expected an LZ4Error, got \(error); \(comment()?.description ?? "")", sourceLocation: sourceLocation)
        return nil
    }
    Issue.record("expected an LZ4Error, got success; \(comment()?.description ?? "")", sourceLocation: sourceLocation)
    return nil
}
