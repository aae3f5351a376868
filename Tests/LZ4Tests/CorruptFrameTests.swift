import ShopTestSupport
import Foundation
import LZ4
import Testing

@Suite("Damaged and hostile input")
struct CorruptFrameTests {
    static let checkedOptions = LZ4Frame.Options(blockChecksum: true, contentChecksum: true)

    /// Offsets where each block header starts, plus the end mark's, found by walking the frame.
    static func blockBoundaries(_ frame: [UInt8], options: LZ4Frame.Options) -> [Int] {
        var offset = 7 + (options.contentSize ? 8 : 0)
        var boundaries: [Int] = []
        while offset + 4 <= frame.count {
            boundaries.append(offset)
            let word = frame[offset..<(offset + 4)].reversed().reduce(0) { $0 << 8 | Int($1) }
            if word == 0 { break }
            offset += 4 + (word & 0x7FFF_FFFF) + (options.blockChecksum ? 4 : 0)
        }
        return boundaries
    }

    @Test("every truncation of a frame is .truncated, never a shorter success")
    func truncatedEverywhere() throws {
        // Compressed and stored (incompressible) multi-block frames, cut at every structural
        // point (header, each block header, end mark, checksum) and at a spread in between.
        let payloads = [Payloads.text(150_000, seed: 5), Payloads.random(150_000, seed: 6)]
        let optionSets: [LZ4Frame.Options] = [.librdkafka, Self.checkedOptions, .init(contentSize: true)]
        for payload in payloads {
            for options in optionSets {
                let frame = try LZ4Frame.compress(payload, options: options)
                let boundaries = Self.blockBoundaries(frame, options: options)
                #expect(boundaries.count == 4, "3 blocks and an end mark")
                var cuts = Set(0..<32).union((frame.count - 32)..<frame.count)
                cuts.formUnion(stride(from: 0, to: frame.count, by: 211))
                for boundary in boundaries { cuts.formUnion((boundary - 5)...(boundary + 5)) }
                for cut in cuts.sorted() where cut >= 0 && cut < frame.count {
                    let error = expectLZ4Error("cut at \(cut)") {
                        _ = try LZ4Frame.decompress(frame[..<cut], maxOutputBytes: payload.count)
                    }
                    #expect(error?.kind == .truncated, "cut at \(cut) of \(frame.count): \(String(describing: error))")
                }
            }
        }
    }

    @Test("single-byte corruption of a checksummed frame is always detected")
    func byteFlipsWithChecksums() throws {
        let text = Payloads.text(100_000, seed: 7)
        let frame = try LZ4Frame.compress(text, options: .init(contentChecksum: true))
        var rng = SplitMix64(seed: 42)
        var kinds: [LZ4Error.Kind: Int] = [:]
        for trial in 0..<400 {
            var damaged = frame
            // Bias toward the header and the last bytes, where the structure lives.
            let position =
                switch trial % 4 {
                case 0: Int(rng.next() % 12)
                case 1: frame.count - 1 - Int(rng.next() % 12)
                default: Int(rng.next() % UInt64(frame.count))
                }
            damaged[position] ^= UInt8(1 + rng.next() % 255)
            let error = expectLZ4Error("flip at \(position)") {
                _ = try LZ4Frame.decompress(damaged, maxOutputBytes: text.count * 2)
            }
            if let error { kinds[error.kind, default: 0] += 1 }
        }
        #expect(kinds[.corruptFrame, default: 0] > 0)
    }

    @Test("random corruption of unchecked frames never crashes")
    func byteFlipsWithoutChecksums() throws {
        var rng = SplitMix64(seed: 43)
        for payload in [Payloads.text(100_000, seed: 8), Payloads.random(70_000, seed: 9)] {
            let frame = try LZ4Frame.compress(payload)
            let decompressor = try LZ4Decompressor()
            for _ in 0..<200 {
                var damaged = frame
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    damaged[Int(rng.next() % UInt64(frame.count))] ^= UInt8(1 + rng.next() % 255)
                }
                // Without checksums a damaged literal can decode "successfully"; it must stay in bounds.
                do {
                    let decoded = try decompressor.decompress(damaged, maxOutputBytes: payload.count)
                    #expect(decoded.count <= payload.count)
                } catch {
                    _ = error.kind
                }
            }
        }
    }

    @Test("checksum failures name liblz4's diagnosis")
    func checksumErrorsCarryLibraryName() throws {
        let text = Payloads.text(10_000, seed: 10)
        var contentDamaged = try LZ4Frame.compress(text, options: .init(contentChecksum: true))
        contentDamaged[contentDamaged.count - 1] ^= 0x01
        let content = expectLZ4Error { _ = try LZ4Frame.decompress(contentDamaged, maxOutputBytes: text.count) }
        #expect(content?.kind == .corruptFrame)
        #expect(content?.libraryErrorName == "ERROR_contentChecksum_invalid")
        #expect(content?.description.contains("ERROR_contentChecksum_invalid") == true)

        // Block checksum sits right before the end mark when there is one block.
        var blockDamaged = try LZ4Frame.compress(text, options: .init(blockChecksum: true))
        blockDamaged[blockDamaged.count - 5] ^= 0x01
        let block = expectLZ4Error { _ = try LZ4Frame.decompress(blockDamaged, maxOutputBytes: text.count) }
        #expect(block?.kind == .corruptFrame)
        #expect(block?.libraryErrorName == "ERROR_blockChecksum_invalid")

        var headerDamaged = try LZ4Frame.compress(text)
        headerDamaged[6] ^= 0x01  // header checksum byte
        let header = expectLZ4Error { _ = try LZ4Frame.decompress(headerDamaged, maxOutputBytes: text.count) }
        #expect(header?.kind == .corruptFrame)
        #expect(header?.libraryErrorName == "ERROR_headerChecksum_invalid")
        #expect(header?.inputOffset == 0)
    }

    @Test("wrong magic, skippable frames and garbage are .corruptFrame")
    func badMagicAndGarbage() throws {
        let frame = try LZ4Frame.compress(Payloads.text300K.bytes)
        for index in 0..<4 {
            var damaged = frame
            damaged[index] ^= 0x10
            let error = expectLZ4Error { _ = try LZ4Frame.decompress(damaged, maxOutputBytes: .max) }
            #expect(error?.kind == .corruptFrame)
            #expect(error?.inputOffset == 0)
        }
        // A skippable frame (magic 0x184D2A50..5F) holds no data; liblz4 would "decode" it to nothing.
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]
        #expect(expectLZ4Error { _ = try LZ4Frame.decompress(skippable, maxOutputBytes: .max) }?.kind == .corruptFrame)

        var rng = SplitMix64(seed: 44)
        for trial in 0..<300 {
            var garbage = Payloads.random(1 + Int(rng.next() % 400), seed: rng.next())
            if trial % 2 == 0 {
                if garbage[0] == 0x04 { garbage[0] = 0x05 }
                let error = expectLZ4Error { _ = try LZ4Frame.decompress(garbage, maxOutputBytes: 1 << 20) }
                #expect(error?.kind == .corruptFrame)
            } else {
                // Valid magic (and sometimes a valid header) followed by noise: anything but a crash.
                let prefix = trial % 4 == 1 ? Array(frame.prefix(4)) : Array(frame.prefix(7))
                garbage = prefix + garbage
                do {
                    _ = try LZ4Frame.decompress(garbage, maxOutputBytes: 1 << 20)
                } catch {
                    #expect(error.kind != .allocationFailed)
                }
            }
        }
    }

    @Test("empty input and partial magic are .truncated")
    func tooShortToBeAFrame() throws {
        for input: [UInt8] in [[], [0x04], [0x04, 0x22, 0x4D], [0x04, 0x22, 0x4D, 0x18], [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40]] {
            let error = expectLZ4Error { _ = try LZ4Frame.decompress(input, maxOutputBytes: .max) }
            #expect(error?.kind == .truncated, "\(input)")
        }
    }

    @Test("bytes after the frame are .trailingBytes at the frame's end")
    func trailingBytes() throws {
        let payload = Payloads.text300K.bytes
        for options in [LZ4Frame.Options.librdkafka, Self.checkedOptions] {
            let frame = try LZ4Frame.compress(payload, options: options)
            for suffix: [UInt8] in [[0], [0, 0, 0, 0], Array(frame.prefix(7)), frame] {
                let error = expectLZ4Error { _ = try LZ4Frame.decompress(frame + suffix, maxOutputBytes: .max) }
                #expect(error?.kind == .trailingBytes)
                #expect(error?.inputOffset == frame.count)
            }
        }
        let empty = try LZ4Frame.compress([UInt8]())
        let error = expectLZ4Error { _ = try LZ4Frame.decompress(empty + [0xFF], maxOutputBytes: 0) }
        #expect(error?.kind == .trailingBytes)
    }

    @Test("maxOutputBytes is exact and stops decompression bombs early")
    func outputLimit() throws {
        let payload = Payloads.text300K.bytes
        for options in [LZ4Frame.Options.librdkafka, .init(blockSize: .max4MB), .init(contentSize: true)] {
            let frame = try LZ4Frame.compress(payload, options: options)
            #expect(sameBytes(try LZ4Frame.decompress(frame, maxOutputBytes: payload.count), payload))
            for limit in [0, 1, 65_535, 65_536, payload.count - 1] {
                let error = expectLZ4Error { _ = try LZ4Frame.decompress(frame, maxOutputBytes: limit) }
                #expect(error?.kind == .outputLimitExceeded, "limit \(limit)")
            }
        }
        // Empty content fits a zero limit.
        #expect(try LZ4Frame.decompress(try LZ4Frame.compress([UInt8]()), maxOutputBytes: 0).isEmpty)

        // 64 MiB of zeros in a frame of about 260 KB: refused after inflating at most limit + 1
        // bytes, i.e. near the start of the frame.
        let zeros = [UInt8](unsafeUninitializedCapacity: 64 << 20) { buffer, count in
            if let base = buffer.baseAddress { memset(base, 0, buffer.count) }
            count = buffer.count
        }
        for blockSize in [LZ4Frame.BlockSize.max64KB, .max4MB] {
            let bomb = try LZ4Frame.compress(zeros, options: .init(blockSize: blockSize))
            #expect(bomb.count < zeros.count / 200)
            let error = expectLZ4Error { _ = try LZ4Frame.decompress(bomb, maxOutputBytes: 1 << 20) }
            #expect(error?.kind == .outputLimitExceeded)
            // One 4 MB block is read whole before its first byte is copied out.
            #expect((error?.inputOffset ?? .max) < bomb.count / 10 + 20_000, "stopped near the start of the frame")
        }
    }
}
