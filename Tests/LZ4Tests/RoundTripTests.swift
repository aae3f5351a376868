import Foundation
import LZ4
import Testing

/// Encoder settings worth exercising; each names the FLG byte it must produce.
struct EncoderCase: Sendable, CustomTestStringConvertible {
    let name: String
    let options: LZ4Frame.Options
    let sizeID: UInt8

    var testDescription: String { name }

    /// FLG as the frame format defines it; never linked blocks.
    func expectedFLG(payloadCount: Int) -> UInt8 {
        var flg = FrameHeader.version1 | FrameHeader.independent
        if options.blockChecksum { flg |= FrameHeader.blockChecksum }
        // liblz4 encodes content size 0 as "absent".
        if options.contentSize && payloadCount > 0 { flg |= FrameHeader.contentSize }
        if options.contentChecksum { flg |= FrameHeader.contentChecksum }
        return flg
    }

    static let all: [EncoderCase] = [
        EncoderCase(name: "librdkafka defaults", options: .librdkafka, sizeID: 4),
        EncoderCase(name: "kafka-python style (content size)", options: .init(contentSize: true), sizeID: 4),
        EncoderCase(name: "256KB + block checksums", options: .init(blockSize: .max256KB, blockChecksum: true), sizeID: 5),
        EncoderCase(name: "1MB + content checksum", options: .init(blockSize: .max1MB, contentChecksum: true), sizeID: 6),
        EncoderCase(
            name: "4MB + everything",
            options: .init(blockSize: .max4MB, contentSize: true, blockChecksum: true, contentChecksum: true), sizeID: 7),
        EncoderCase(name: "HC level 9", options: .init(compressionLevel: 9), sizeID: 4),
        EncoderCase(name: "fast level -5", options: .init(compressionLevel: -5), sizeID: 4),
    ]
}

@Suite("Round trips through our encoder")
struct RoundTripTests {
    @Test("default frame header is librdkafka's: FLG 0x60, BD 0x40")
    func defaultHeaderMatchesLibrdkafka() throws {
        for payload in Payloads.all {
            let frame = try LZ4Frame.compress(payload.bytes)
            let header = try #require(FrameHeader(frame))
            #expect(header == FrameHeader(flg: 0x60, bd: 0x40), "\(payload.name)")
            #expect(frame.count >= 7 + 4, "header + end mark")
            #expect(Array(frame.suffix(4)) == [0, 0, 0, 0], "no content checksum after the end mark")
        }
    }

    @Test("our frames decode to the input", arguments: EncoderCase.all)
    func ourEncoderOurDecoder(_ encoder: EncoderCase) throws {
        for payload in Payloads.all {
            let frame = try LZ4Frame.compress(payload.bytes, options: encoder.options)
            let header = try #require(FrameHeader(frame))
            #expect(header.flg == encoder.expectedFLG(payloadCount: payload.bytes.count), "\(payload.name): \(header)")
            // liblz4 shrinks BD to the smallest size that holds a single-block input.
            if payload.bytes.count > 4 << 20 {
                #expect(header.bd == FrameHeader.bd(encoder.sizeID), "\(payload.name): \(header)")
            } else {
                #expect(header.bd <= FrameHeader.bd(encoder.sizeID), "\(payload.name): \(header)")
            }
            let decoded = try LZ4Frame.decompress(frame, maxOutputBytes: payload.bytes.count)
            #expect(sameBytes(decoded, payload.bytes), "\(payload.name): \(mismatchSummary(decoded, payload.bytes))")
        }
    }

    @Test("incompressible data costs only the frame overhead (stored blocks)")
    func incompressibleIsStored() throws {
        let payload = Payloads.random200K.bytes
        let frame = try LZ4Frame.compress(payload)
        let blocks = (payload.count + 65_535) / 65_536
        #expect(frame.count == 7 + blocks * 4 + payload.count + 4)
    }

    @Test("the lz4 CLI decodes our frames", arguments: EncoderCase.all)
    func lz4CLIDecodesOurFrames(_ encoder: EncoderCase) throws {
        let lz4 = try Tools.lz4()
        try withTemporaryDirectory { directory in
            for payload in Payloads.all {
                let frame = try LZ4Frame.compress(payload.bytes, options: encoder.options)
                let input = directory.appendingPathComponent("\(payload.name).lz4")
                let output = directory.appendingPathComponent("\(payload.name).out")
                try writeBytes(frame, to: input)
                try Tools.run(lz4, ["-d", "-q", "-f", input.path, output.path], in: directory)
                let decoded = try readBytes(output)
                #expect(sameBytes(decoded, payload.bytes), "\(payload.name): \(mismatchSummary(decoded, payload.bytes))")
            }
        }
    }

    @Test("python-lz4 decodes our frames", arguments: EncoderCase.all)
    func pythonDecodesOurFrames(_ encoder: EncoderCase) throws {
        let python = try Tools.python()
        try withTemporaryDirectory { directory in
            var names: [String] = []
            for payload in Payloads.all {
                try writeBytes(
                    try LZ4Frame.compress(payload.bytes, options: encoder.options),
                    to: directory.appendingPathComponent("\(payload.name).lz4"))
                names.append(payload.name)
            }
            let script = """
                import sys, lz4.frame
                for name in sys.argv[1:]:
                    with open(name + '.lz4', 'rb') as f:
                        frame = f.read()
                    # Python must also see exactly one frame with nothing left over.
                    d = lz4.frame.LZ4FrameDecompressor()
                    out = d.decompress(frame)
                    assert d.eof and not d.unused_data, name
                    with open(name + '.out', 'wb') as f:
                        f.write(out)
                """
            try Tools.run(python, ["-c", Tools.pythonPrelude + script] + names, in: directory)
            for payload in Payloads.all {
                let decoded = try readBytes(directory.appendingPathComponent("\(payload.name).out"))
                #expect(sameBytes(decoded, payload.bytes), "\(payload.name): \(mismatchSummary(decoded, payload.bytes))")
            }
        }
    }

    @Test("compress(into:) and decompress(into:) append and keep the prefix")
    func appendingVariants() throws {
        let payload = Payloads.text300K.bytes
        var frame: [UInt8] = [0xAA, 0xBB]
        try LZ4Frame.compress(payload, into: &frame)
        #expect(frame.prefix(2) == [0xAA, 0xBB])
        let frameOnly = Array(frame.dropFirst(2))
        #expect(sameBytes(frameOnly, try LZ4Frame.compress(payload)))

        var output: [UInt8] = [1, 2, 3]
        try LZ4Frame.decompress(frameOnly, into: &output, maxOutputBytes: payload.count)
        #expect(output.prefix(3) == [1, 2, 3])
        #expect(sameBytes(Array(output.dropFirst(3)), payload))

        // A failing call leaves the caller's buffer exactly as it was.
        let before = output
        expectLZ4Error { try LZ4Frame.decompress(frameOnly.dropLast(1), into: &output, maxOutputBytes: payload.count) }
        #expect(sameBytes(output, before))
    }

    @Test("accepts arrays, slices, raw buffers, Data and non-contiguous collections")
    func inputShapes() throws {
        let payload = Payloads.text300K.bytes
        let frame = try LZ4Frame.compress(payload)
        let padded = [0xEE] + frame + [0xEE]
        let slice = padded[1..<(padded.count - 1)]  // non-zero startIndex
        #expect(sameBytes(try LZ4Frame.compress(payload[...]), frame))
        #expect(sameBytes(try LZ4Frame.compress(Data(payload)), frame))
        #expect(sameBytes(try LZ4Frame.compress(payload.lazy.map { $0 }), frame))
        try payload.withUnsafeBytes { raw in
            #expect(sameBytes(try LZ4Frame.compress(raw), frame))
            var out: [UInt8] = []
            try LZ4Frame.compress(raw, into: &out)
            #expect(sameBytes(out, frame))
        }

        let limit = payload.count
        #expect(sameBytes(try LZ4Frame.decompress(slice, maxOutputBytes: limit), payload))
        #expect(sameBytes(try LZ4Frame.decompress(Data(frame), maxOutputBytes: limit), payload))
        #expect(sameBytes(try LZ4Frame.decompress(frame.lazy.map { $0 }, maxOutputBytes: limit), payload))
        try frame.withUnsafeBytes { raw in
            #expect(sameBytes(try LZ4Frame.decompress(raw, maxOutputBytes: limit), payload))
            var out: [UInt8] = []
            try LZ4Frame.decompress(raw, into: &out, maxOutputBytes: limit)
            #expect(sameBytes(out, payload))
        }
    }

    @Test("one LZ4Decompressor decodes many frames, also after errors")
    func decompressorReuse() throws {
        let decompressor = try LZ4Decompressor()
        let frames = try Payloads.all.map { try LZ4Frame.compress($0.bytes, options: .init(contentChecksum: true)) }
        var buffer: [UInt8] = []
        for round in 0..<3 {
            for (payload, frame) in zip(Payloads.all, frames) {
                buffer.removeAll(keepingCapacity: true)
                try decompressor.decompress(frame, into: &buffer, maxOutputBytes: payload.bytes.count)
                #expect(sameBytes(buffer, payload.bytes), "round \(round) \(payload.name)")
                // Leave the context mid-frame or failed; the next call must not notice.
                if frame.count > 20 {
                    expectLZ4Error { _ = try decompressor.decompress(frame.prefix(frame.count / 2), maxOutputBytes: .max) }
                    var flipped = frame
                    flipped[frame.count - 2] ^= 0xFF  // content checksum
                    expectLZ4Error { _ = try decompressor.decompress(flipped, maxOutputBytes: .max) }
                }
            }
        }
    }

    @Test("linked-block frames (which our encoder never writes) decode too")
    func linkedBlocksDecode() throws {
        // Covered against real producers in the interop tests; here check a long run of
        // linked 64 KB blocks from the CLI through a reused decompressor.
        let lz4 = try Tools.lz4()
        try withTemporaryDirectory { directory in
            let payload = Payloads.text(1_000_000, seed: 9)
            let input = directory.appendingPathComponent("in")
            try writeBytes(payload, to: input)
            let frame = try Tools.run(lz4, ["-q", "-c", "-B4", "-BD", input.path], in: directory)
            #expect(FrameHeader(frame)?.flg == FrameHeader.version1 | FrameHeader.contentChecksum)
            let decompressor = try LZ4Decompressor()
            for _ in 0..<2 {
                let decoded = try decompressor.decompress(frame, maxOutputBytes: payload.count)
                #expect(sameBytes(decoded, payload))
            }
        }
    }
}
