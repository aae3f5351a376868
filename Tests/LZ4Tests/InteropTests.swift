import Foundation
import LZ4
import Testing

/// A producer configuration and the header it must write for `Payloads.large`. Checking the
/// header proves the tool really produced the flavour the case claims to cover.
struct ProducerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    let expectedLargeHeader: FrameHeader
    var testDescription: String { name }
}

private let v1 = FrameHeader.version1
private let independent = FrameHeader.independent
private let blockChecksum = FrameHeader.blockChecksum
private let contentSize = FrameHeader.contentSize
private let contentChecksum = FrameHeader.contentChecksum

/// lz4 v1.9.4 CLI flags. Note the CLI's defaults: 4 MB blocks and a content checksum, and it
/// shrinks BD (and drops linking) for inputs that fit in one block.
let cliCases: [ProducerCase] = [
    ProducerCase(
        name: "lz4 -B4 --no-frame-crc (librdkafka-identical)", arguments: ["-B4", "--no-frame-crc"],
        expectedLargeHeader: .init(flg: v1 | independent, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "lz4 (defaults)", arguments: [],
        expectedLargeHeader: .init(flg: v1 | independent | contentChecksum, bd: FrameHeader.bd(7))),
    ProducerCase(
        name: "lz4 -B4", arguments: ["-B4"],
        expectedLargeHeader: .init(flg: v1 | independent | contentChecksum, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "lz4 -B5 -BX", arguments: ["-B5", "-BX"],
        expectedLargeHeader: .init(flg: v1 | independent | blockChecksum | contentChecksum, bd: FrameHeader.bd(5))),
    ProducerCase(
        name: "lz4 -B6 --content-size", arguments: ["-B6", "--content-size"],
        expectedLargeHeader: .init(flg: v1 | independent | contentSize | contentChecksum, bd: FrameHeader.bd(6))),
    ProducerCase(
        name: "lz4 -B7 --content-size -BX --no-frame-crc", arguments: ["-B7", "--content-size", "-BX", "--no-frame-crc"],
        expectedLargeHeader: .init(flg: v1 | independent | blockChecksum | contentSize, bd: FrameHeader.bd(7))),
    ProducerCase(
        name: "lz4 -B4 -BD (linked blocks)", arguments: ["-B4", "-BD"],
        expectedLargeHeader: .init(flg: v1 | contentChecksum, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "lz4 -B7 -BD -BX --no-frame-crc (linked 4 MB)", arguments: ["-B7", "-BD", "-BX", "--no-frame-crc"],
        expectedLargeHeader: .init(flg: v1 | blockChecksum, bd: FrameHeader.bd(7))),
    ProducerCase(
        name: "lz4 -9 -B4 (HC)", arguments: ["-9", "-B4"],
        expectedLargeHeader: .init(flg: v1 | independent | contentChecksum, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "lz4 --fast=8 -B4 -BD", arguments: ["--fast=8", "-B4", "-BD"],
        expectedLargeHeader: .init(flg: v1 | contentChecksum, bd: FrameHeader.bd(4))),
]

/// Keyword arguments for python-lz4's `lz4.frame.compress`. Its defaults are linked 64 KB
/// blocks with the content size stored.
let pythonCases: [ProducerCase] = [
    ProducerCase(
        name: "kafka-python: block_linked=False", arguments: ["block_linked=False"],
        expectedLargeHeader: .init(flg: v1 | independent | contentSize, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "python-lz4 defaults (linked, store_size)", arguments: [],
        expectedLargeHeader: .init(flg: v1 | contentSize, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "block_linked=False, store_size=False (librdkafka-identical)",
        arguments: ["block_linked=False", "store_size=False"],
        expectedLargeHeader: .init(flg: v1 | independent, bd: FrameHeader.bd(4))),
    ProducerCase(
        name: "4MB, independent, content_checksum",
        arguments: ["block_size=lz4.frame.BLOCKSIZE_MAX4MB", "block_linked=False", "content_checksum=True"],
        expectedLargeHeader: .init(flg: v1 | independent | contentSize | contentChecksum, bd: FrameHeader.bd(7))),
    ProducerCase(
        name: "4MB, linked, block+content checksums, no size",
        arguments: [
            "block_size=lz4.frame.BLOCKSIZE_MAX4MB", "block_linked=True", "block_checksum=True",
            "content_checksum=True", "store_size=False",
        ],
        expectedLargeHeader: .init(flg: v1 | blockChecksum | contentChecksum, bd: FrameHeader.bd(7))),
    ProducerCase(
        name: "256KB, independent, block_checksum, no size",
        arguments: [
            "block_size=lz4.frame.BLOCKSIZE_MAX256KB", "block_linked=False", "block_checksum=True", "store_size=False",
        ],
        expectedLargeHeader: .init(flg: v1 | independent | blockChecksum, bd: FrameHeader.bd(5))),
    ProducerCase(
        name: "1MB, linked, HC level 9", arguments: ["block_size=lz4.frame.BLOCKSIZE_MAX1MB", "compression_level=9"],
        expectedLargeHeader: .init(flg: v1 | contentSize, bd: FrameHeader.bd(6))),
    ProducerCase(
        name: "64KB, independent, HC max level, content checksum",
        arguments: ["block_linked=False", "compression_level=lz4.frame.COMPRESSIONLEVEL_MAX", "content_checksum=True"],
        expectedLargeHeader: .init(flg: v1 | independent | contentSize | contentChecksum, bd: FrameHeader.bd(4))),
]

@Suite("Frames written by other producers")
struct InteropTests {
    @Test("decodes frames from the lz4 CLI", arguments: cliCases)
    func decodesLZ4CLIFrames(_ producer: ProducerCase) throws {
        let lz4 = try Tools.lz4()
        try withTemporaryDirectory { directory in
            for payload in Payloads.all {
                let input = directory.appendingPathComponent(payload.name)
                let output = directory.appendingPathComponent("\(payload.name).lz4")
                try writeBytes(payload.bytes, to: input)
                try Tools.run(lz4, ["-q", "-f", "-z"] + producer.arguments + [input.path, output.path], in: directory)
                let frame = try readBytes(output)
                try check(frame, decodesTo: payload, producer: producer)
            }
        }
    }

    @Test("decodes frames from python-lz4", arguments: pythonCases)
    func decodesPythonFrames(_ producer: ProducerCase) throws {
        let python = try Tools.python()
        try withTemporaryDirectory { directory in
            var names: [String] = []
            for payload in Payloads.all {
                try writeBytes(payload.bytes, to: directory.appendingPathComponent(payload.name))
                names.append(payload.name)
            }
            let script = """
                import sys, lz4.frame
                for name in sys.argv[1:]:
                    with open(name, 'rb') as f:
                        data = f.read()
                    with open(name + '.lz4', 'wb') as f:
                        f.write(lz4.frame.compress(data, \(producer.arguments.joined(separator: ", "))))
                """
            try Tools.run(python, ["-c", Tools.pythonPrelude + script] + names, in: directory)
            for payload in Payloads.all {
                let frame = try readBytes(directory.appendingPathComponent("\(payload.name).lz4"))
                try check(frame, decodesTo: payload, producer: producer)
            }
        }
    }

    @Test("python frames with a lying content size are rejected without trusting the size")
    func lyingContentSize() throws {
        let python = try Tools.python()
        try withTemporaryDirectory { directory in
            // python-lz4 refuses to *finish* such a frame, so the end mark is appended by hand.
            let script = """
                import lz4.frame
                for name, declared in (('big', 10**12), ('small', 10)):
                    c = lz4.frame.LZ4FrameCompressor(block_linked=False, auto_flush=True)
                    frame = c.begin(source_size=declared) + c.compress(b'x' * 100000) + b'\\0\\0\\0\\0'
                    with open(name + '.lz4', 'wb') as f:
                        f.write(frame)
                """
            try Tools.run(python, ["-c", Tools.pythonPrelude + script], in: directory)
            let big = try readBytes(directory.appendingPathComponent("big.lz4"))
            let small = try readBytes(directory.appendingPathComponent("small.lz4"))

            // Refused from the header alone, before inflating anything.
            let early = expectLZ4Error { _ = try LZ4Frame.decompress(big, maxOutputBytes: 1 << 20) }
            #expect(early?.kind == .outputLimitExceeded)
            #expect((early?.inputOffset ?? .max) <= 19, "detected in the header")

            // With no practical limit the declared terabyte is not allocated; liblz4 notices the mismatch.
            let mismatch = expectLZ4Error { _ = try LZ4Frame.decompress(big, maxOutputBytes: .max) }
            #expect(mismatch?.kind == .corruptFrame)
            #expect(mismatch?.libraryErrorName == "ERROR_frameSize_wrong")

            let tooMuch = expectLZ4Error { _ = try LZ4Frame.decompress(small, maxOutputBytes: .max) }
            #expect(tooMuch?.kind == .corruptFrame)
            #expect(tooMuch?.libraryErrorName == "ERROR_frameSize_wrong")
        }
    }

    @Test("rejects the legacy lz4 format (lz4 -l), which Kafka never used")
    func rejectsLegacyFormat() throws {
        let lz4 = try Tools.lz4()
        try withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("in")
            try writeBytes(Payloads.text300K.bytes, to: input)
            let legacy = try Tools.run(lz4, ["-q", "-c", "-l", input.path], in: directory)
            let error = expectLZ4Error { _ = try LZ4Frame.decompress(legacy, maxOutputBytes: .max) }
            #expect(error?.kind == .corruptFrame)
        }
    }

    private func check(_ frame: [UInt8], decodesTo payload: Payload, producer: ProducerCase) throws {
        let header = try #require(FrameHeader(frame), "\(producer.name) / \(payload.name): not a frame")
        if payload.name == Payloads.large.name {
            #expect(header == producer.expectedLargeHeader, "\(producer.name) / \(payload.name)")
        }
        let decoded = try LZ4Frame.decompress(frame, maxOutputBytes: payload.bytes.count)
        #expect(sameBytes(decoded, payload.bytes), "\(producer.name) / \(payload.name): \(mismatchSummary(decoded, payload.bytes))")
        // The exact limit must be enough, one byte less must not.
        if !payload.bytes.isEmpty {
            let error = expectLZ4Error { _ = try LZ4Frame.decompress(frame, maxOutputBytes: payload.bytes.count - 1) }
            #expect(error?.kind == .outputLimitExceeded, "\(producer.name) / \(payload.name)")
        }
    }
}
