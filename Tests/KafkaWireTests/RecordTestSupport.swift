import ShopTestSupport
import Foundation
import KafkaWire
import NIOCore
import Testing

// Helpers for the Record*Tests files. Every name starts with `Record` (or is private) so the
// other KafkaWire test files can define their own helpers without collisions.

enum RecordTestData {
    /// Incompressible bytes (word at a time: byte loops are slow in debug builds).
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            while offset + 8 <= count {
                raw.storeBytes(of: rng.next(), toByteOffset: offset, as: UInt64.self)
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

    /// Order-event-like JSON text: compresses well, so producers really use LZ4.
    static func text(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count + 96)
        var order = 0
        while out.count < count {
            order += 1
            let status = rng.next() % 2 == 0 ? "shipped" : "pending"
            let sku = rng.next() % 5000
            let quantity = rng.next() % 10
            out += Array(
                "{\"order\":\(order),\"sku\":\"SKU-\(sku)\",\"qty\":\(quantity),\"status\":\"\(status)\"}\n".utf8)
        }
        out.removeLast(out.count - count)
        return out
    }

    /// A varied producer batch: null and empty keys and values, headers with null values,
    /// negative timestamp deltas, a multi-byte header key. Values are compressible.
    static func mixedRecords(count: Int, seed: UInt64, baseTimestamp: Int64 = 1_700_000_000_000)
        -> [RecordBatch.ProducerRecord]
    {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let key: [UInt8]? =
                switch index % 5 {
                case 0: nil
                case 1: []
                default: Array("order-\(index % 17)".utf8)
                }
            let value: [UInt8]? =
                switch index % 7 {
                case 3: nil  // tombstone
                case 5: []
                default: text(Int(rng.next() % 300) + 1, seed: seed &+ UInt64(index))
                }
            var headers: [RecordHeader] = []
            if index % 3 == 0 {
                headers.append(RecordHeader(key: "trace-id", valueBytes: Array("t-\(index)".utf8)))
                headers.append(RecordHeader(key: "null-header", valueBytes: nil))
                headers.append(RecordHeader(key: "", valueBytes: []))
            }
            if index % 4 == 1 { headers.append(RecordHeader(key: "größe-ключ-🛒", valueBytes: [0, 1, 2, 255])) }
            // Timestamps go backwards and forwards around the first one.
            let jitter = Int64(rng.next() % 20_000) - 10_000
            return RecordBatch.ProducerRecord(
                keyBytes: key, valueBytes: value, headers: headers,
                timestamp: index == 0 ? baseTimestamp : baseTimestamp + jitter)
        }
    }
}

/// Returns the `RecordBatchError` thrown by `body` (recording an issue if it succeeds or
/// throws something else). Untyped closure because closures do not infer typed throws.
@discardableResult
func recordExpectError(
    _ comment: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> RecordBatchError? {
    do {
        try body()
    } catch let error as RecordBatchError {
        return error
    } catch {
        Issue.record("expected a RecordBatchError, got \(error) \(comment())", sourceLocation: sourceLocation)
        return nil
    }
    Issue.record("expected a RecordBatchError, got success \(comment())", sourceLocation: sourceLocation)
    return nil
}

extension RecordBatch {
    /// Wire bytes of this batch as an array (tests mutate bytes by index).
    func recordTestBytes(_ compression: CompressionCodec = .none) throws -> [UInt8] {
        let buffer = try encoded(compression: compression)
        return Array(buffer.readableBytesView)
    }
}

enum RecordTestBytes {
    static func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    static func setInt32(_ bytes: inout [UInt8], _ value: Int32, at offset: Int) {
        let raw = UInt32(bitPattern: value)
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: raw >> (24 - 8 * index)) }
    }

    /// Rewrites batchLength and the CRC after a test changed a batch, so the damage reaches
    /// the record or LZ4 decoding instead of stopping at the CRC check.
    static func refreshed(_ bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        setInt32(&copy, Int32(bytes.count - 12), at: 8)
        let crc = copy.withUnsafeBytes { RecordBatch.Header.computeCRC($0) }
        setInt32(&copy, Int32(bitPattern: crc), at: 17)
        return copy
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8] {
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        let utf8 = Array(text.utf8)
        return stride(from: 0, to: utf8.count - 1, by: 2).map { nibble(utf8[$0]) << 4 | nibble(utf8[$0 + 1]) }
    }
}

// MARK: - kafka-python

struct RecordTestToolError: Error, CustomStringConvertible {
    let description: String
}

enum RecordTestPython {
    /// Repository root: this file is <repo>/Tests/KafkaWireTests/RecordTestSupport.swift.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The venv Python with kafka-python. A missing venv fails the test rather than skipping
    /// it: interoperability with a real client is the point of these tests.
    static func executable() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["KAFKA_TEST_PYTHON"] ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw RecordTestToolError(
                description: "Python with kafka-python not found at \(path). Run `make test` (it creates .venv "
                    + "with kafka-python 3.0.12 and lz4) or set KAFKA_TEST_PYTHON.")
        }
        return URL(fileURLWithPath: path)
    }

    /// Prepended to every script so a venv without the packages fails with the fix, not a traceback.
    static let prelude = """
        import sys
        try:
            import kafka, lz4.frame
            from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
            from kafka.record.memory_records import MemoryRecords
            from kafka.record.util import encode_varint, decode_varint
        except ImportError as error:
            sys.exit(f"kafka-python 3.0.12 and lz4 are needed in {sys.executable} ({error}); run `make test`, which installs them")
        if kafka.__version__ != "3.0.12":
            sys.exit(f"kafka-python {kafka.__version__} found, 3.0.12 expected; run `make test`")

        """

    /// Runs `script` with `arguments` in `directory`; returns stdout. Output goes through files
    /// so a chatty script cannot block on a full pipe.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], in directory: URL) throws -> String {
        let python = try executable()
        let scriptURL = directory.appendingPathComponent("script-\(UUID().uuidString).py")
        try (prelude + script).write(to: scriptURL, atomically: true, encoding: .utf8)
        let stdoutURL = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
            FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        else { throw RecordTestToolError(description: "cannot create output files in \(directory.path)") }
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        let process = Process()
        process.executableURL = python
        process.arguments = [scriptURL.path] + arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        try process.run()
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()
        let output = try String(contentsOf: stdoutURL, encoding: .utf8)
        let errors = try String(contentsOf: stderrURL, encoding: .utf8)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw RecordTestToolError(
                description: "\(python.path) failed (status \(process.terminationStatus)): \(errors)")
        }
        return output
    }
}

/// A fresh directory under the system temp dir, removed afterwards even if `body` throws.
func withRecordTestDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recordtests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

func recordTestWrite(_ bytes: [UInt8], to url: URL) throws {
    try Data(bytes).write(to: url)
}

func recordTestRead(_ url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}
