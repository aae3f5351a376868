import ShopTestSupport
import KafkaWire
import NIOCore
import Testing

/// Damaged input must give a typed `RecordBatchError`: never a crash, a hang, a wrong batch
/// passed off as right, or an allocation the input does not justify.
@Suite("RecordBatch corruption")
struct RecordBatchCorruptionTests {
    private static func decodeError(
        _ bytes: [UInt8], maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes,
        _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
    ) -> RecordBatchError? {
        recordExpectError(comment(), sourceLocation: sourceLocation) {
            _ = try RecordBatch.decode(bytes, maxUncompressedBytes: maxUncompressedBytes)
        }
    }

    /// One record: key null, value "hi", no headers. Its 9 record bytes start at 61:
    /// length 8 (0x10), attributes, timestampDelta 0, offsetDelta 0, key -1 (0x01),
    /// value length 2 (0x04), "hi", header count 0.
    private static func tinyBatch() throws -> [UInt8] {
        try RecordBatch(producing: [(key: nil, value: Array("hi".utf8), headers: [], timestamp: 1)]).recordTestBytes()
    }

    private static func smallMixedBatch(_ codec: CompressionCodec) throws -> [UInt8] {
        try RecordBatch(producing: RecordTestData.mixedRecords(count: 6, seed: 77)).recordTestBytes(codec)
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func everySingleBitFlipIsDetected(codec: CompressionCodec) throws {
        let original = try Self.smallMixedBatch(codec)
        let reference = try RecordBatch.decode(original)
        for index in original.indices {
            for bit in 0..<8 {
                var damaged = original
                damaged[index] ^= 1 << bit
                if (0..<8).contains(index) || (12..<16).contains(index) {
                    // baseOffset and partitionLeaderEpoch are outside the CRC by design (the
                    // broker stamps them); the batch still decodes, with the new value.
                    let batch = try RecordBatch.decode(damaged)
                    #expect(batch.records == reference.records)
                    #expect(
                        batch.baseOffset != reference.baseOffset
                            || batch.partitionLeaderEpoch != reference.partitionLeaderEpoch)
                    continue
                }
                guard let error = Self.decodeError(damaged, "flip bit \(bit) of byte \(index)") else { continue }
                switch index {
                case 8..<12:  // batchLength: too short for the CRC, too long for the input, or impossible
                    #expect(
                        error.kind.recordTestIsCRCMismatch || error.kind == .truncated
                            || error.kind == .invalidBatchLength,
                        "byte \(index) bit \(bit): \(error)")
                case 16:
                    #expect(error.kind == .unsupportedMagic(Int8(bitPattern: damaged[16])))
                default:  // the CRC field itself or anything it covers
                    #expect(error.kind.recordTestIsCRCMismatch, "byte \(index) bit \(bit): \(error)")
                    #expect(error.offset == 17)
                }
            }
        }
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func truncationAtEveryByte(codec: CompressionCodec) throws {
        let original = try Self.smallMixedBatch(codec)
        let decoder = RecordBatch.Decoder()
        for length in 0..<original.count {
            let cut = Array(original[0..<length])
            #expect(Self.decodeError(cut, "cut at \(length)")?.kind == .truncated)
            #expect(
                recordExpectError { _ = try RecordBatch.Header.validate(ByteBuffer(bytes: cut)) }?.kind == .truncated)
            // In a sequence, a cut batch is a partial trailing batch: nothing decoded, nothing consumed.
            var buffer = ByteBuffer(bytes: cut)
            #expect(try decoder.decodeBatches(from: &buffer).isEmpty)
            #expect(buffer.readableBytes == length)
        }
    }

    @Test func headerDamage() throws {
        let tiny = try Self.tinyBatch()
        for badLength: Int32 in [48, 0, -1, .min] {
            var bytes = tiny
            RecordTestBytes.setInt32(&bytes, badLength, at: 8)
            let error = Self.decodeError(bytes)
            #expect(error?.kind == .invalidBatchLength)
            #expect(error?.offset == 8)
            // Even as the tail of a fetch response: no batch has that length.
            var buffer = ByteBuffer(bytes: tiny + bytes)
            let sequenceError = recordExpectError { _ = try RecordBatch.decodeBatches(from: &buffer) }
            #expect(sequenceError?.kind == .invalidBatchLength)
            #expect(sequenceError?.batchOffset == tiny.count)
        }
        for magic: UInt8 in [0, 1, 3, 0xFF] {
            var bytes = tiny
            bytes[16] = magic
            #expect(Self.decodeError(bytes)?.kind == .unsupportedMagic(Int8(bitPattern: magic)))
        }
        var bigger = tiny
        RecordTestBytes.setInt32(&bigger, Int32(tiny.count - 12 + 1), at: 8)
        #expect(Self.decodeError(bigger)?.kind == .truncated)
        var huge = tiny
        RecordTestBytes.setInt32(&huge, .max, at: 8)
        #expect(Self.decodeError(huge)?.kind == .truncated)
    }

    @Test func unsupportedCodecsAreReportedButPassHeaderValidation() throws {
        let tiny = try Self.tinyBatch()
        for codec: UInt8 in [1, 2, 4, 5, 6, 7] {
            var bytes = tiny
            bytes[22] = codec
            bytes = RecordTestBytes.refreshed(bytes)
            let error = Self.decodeError(bytes)
            #expect(error?.kind == .unsupportedCompression(CompressionCodec(rawValue: Int16(codec))))
            #expect(error?.offset == 21)
            // The broker can still validate and store it without inflating.
            #expect(try RecordBatch.Header.validate(ByteBuffer(bytes: bytes)).compression.rawValue == Int16(codec))
        }
    }

    /// Damage behind a valid CRC (a buggy producer, not the network) reaches the record parser.
    @Test func recordStructureDamage() throws {
        let tiny = try Self.tinyBatch()
        #expect(Array(tiny[61...]) == [0x10, 0x00, 0x00, 0x00, 0x01, 0x04, 0x68, 0x69, 0x00])
        func damaged(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = tiny
            edit(&bytes)
            return RecordTestBytes.refreshed(bytes)
        }
        func kind(_ edit: (inout [UInt8]) -> Void) -> RecordBatchError.Kind? { Self.decodeError(damaged(edit))?.kind }

        #expect(kind { RecordTestBytes.setInt32(&$0, 2, at: 57) } == .recordCountMismatch(declared: 2, decoded: 1))
        #expect(
            kind { RecordTestBytes.setInt32(&$0, .max, at: 57) } == .recordCountMismatch(declared: .max, decoded: 1))
        #expect(kind { RecordTestBytes.setInt32(&$0, 0, at: 57) } == .trailingRecordBytes(9))
        #expect(kind { RecordTestBytes.setInt32(&$0, -1, at: 57) } == .invalidRecordCount(-1))
        #expect(kind { $0[61] = 0x12 } == .recordLengthMismatch(declared: 9))  // past the section
        #expect(kind { $0[61] = 0x0E } == .recordLengthMismatch(declared: 7))  // header count outside
        #expect(kind { $0[61] = 0x01 } == .invalidLength(-1))
        /// Replaces the one byte at `index` with `bytes` and sets the record's length byte.
        func kind(replacing index: Int, with bytes: [UInt8], recordLength: Int) -> RecordBatchError.Kind? {
            kind {
                $0.replaceSubrange(index...index, with: bytes)
                $0[61] = UInt8(recordLength * 2)  // zig-zag, one byte
            }
        }
        // Fields stop one byte short of the declared length.
        #expect(kind(replacing: 69, with: [0x00, 0x00], recordLength: 9) == .recordLengthMismatch(declared: 9))
        #expect(kind { $0[65] = 0x03 } == .invalidLength(-2))  // key length -2
        #expect(kind { $0[66] = 0x03 } == .invalidLength(-2))  // value length -2
        #expect(kind { $0[69] = 0x01 } == .invalidLength(-1))  // header count -1
        // Header count 1e9 in a 12-byte record: fails fast, reserves nothing large.
        #expect(
            kind(replacing: 69, with: [0x80, 0xA8, 0xD6, 0xB9, 0x07], recordLength: 12)
                == .recordLengthMismatch(declared: 12))
        // An 11-byte timestampDelta varlong, a 6-byte offsetDelta varint.
        #expect(
            kind(replacing: 63, with: [UInt8](repeating: 0x80, count: 10) + [0], recordLength: 18) == .varintTooLong)
        #expect(kind(replacing: 64, with: [0x80, 0x80, 0x80, 0x80, 0x80, 0x00], recordLength: 13) == .varintTooLong)

        let withHeader = try RecordBatch(producing: [
            (key: nil, value: [], headers: [RecordHeader(key: "ab", valueBytes: nil)], timestamp: 0)
        ]).recordTestBytes()
        // ... value length 0 (0x00), header count 1 (0x02), key length 2 (0x04), "ab", value -1.
        let keyAt = withHeader.count - 3
        #expect(Array(withHeader[keyAt..<(keyAt + 3)]) == [0x61, 0x62, 0x01])
        var badUTF8 = withHeader
        badUTF8[keyAt] = 0xFF
        badUTF8[keyAt + 1] = 0xFE
        let utf8Error = Self.decodeError(RecordTestBytes.refreshed(badUTF8))
        #expect(utf8Error?.kind == .invalidHeaderKey)
        #expect(utf8Error?.offset == keyAt)
        var nullKey = withHeader
        nullKey[keyAt - 1] = 0x01
        #expect(Self.decodeError(RecordTestBytes.refreshed(nullKey))?.kind == .invalidLength(-1))
    }

    @Test func corruptLZ4Frames() throws {
        let original = try Self.smallMixedBatch(.lz4)
        let frameStart = 61
        #expect(Array(original[frameStart..<(frameStart + 4)]) == [0x04, 0x22, 0x4D, 0x18])
        func kind(_ edit: (inout [UInt8]) -> Void) -> RecordBatchError.Kind? {
            var bytes = original
            edit(&bytes)
            return Self.decodeError(RecordTestBytes.refreshed(bytes))?.kind
        }
        #expect(kind { $0[frameStart] = 0x05 } == .corruptCompressedRecords(.corruptFrame))  // magic
        #expect(kind { $0[frameStart + 6] ^= 0xFF } == .corruptCompressedRecords(.corruptFrame))  // header checksum
        #expect(kind { $0[frameStart + 10] = 0x7F } == .corruptCompressedRecords(.corruptFrame))  // block size > 64 KB
        #expect(kind { $0.removeLast(4) } == .corruptCompressedRecords(.truncated))  // no end mark
        #expect(kind { $0.removeSubrange((frameStart + 3)...) } == .corruptCompressedRecords(.truncated))
        #expect(kind { $0.append(contentsOf: [1, 2, 3]) } == .corruptCompressedRecords(.trailingBytes))
        #expect(kind { $0.removeSubrange(frameStart...) } != nil)  // no frame at all

        // A valid frame whose records disagree with recordsCount: reported inside the inflated bytes.
        var count = original
        RecordTestBytes.setInt32(&count, 7, at: 57)
        let error = Self.decodeError(RecordTestBytes.refreshed(count))
        #expect(error?.kind == .recordCountMismatch(declared: 7, decoded: 6))
        #expect(error?.inDecompressedRecords == true)

        // The inflate limit (decompression-bomb guard).
        let bomb = try RecordBatch(producing: [
            (key: nil, value: [UInt8](repeating: 0x41, count: 1_000_000), headers: [], timestamp: 0)
        ]).recordTestBytes(.lz4)
        #expect(bomb.count < 10_000)
        #expect(Self.decodeError(bomb, maxUncompressedBytes: 100_000)?.kind == .uncompressedSizeLimitExceeded)
        #expect(try RecordBatch.decode(bomb, maxUncompressedBytes: 1_000_100).records.count == 1)
    }

    /// Random damage behind a valid CRC, uncompressed and LZ4: every outcome is a decoded batch
    /// or a typed error, never a crash. Fixed seed, so a failure reproduces.
    @Test(arguments: [CompressionCodec.none, .lz4])
    func randomDamageBehindAValidCRC(codec: CompressionCodec) throws {
        let original = try Self.smallMixedBatch(codec)
        var rng = SplitMix64(seed: codec == .none ? 1 : 2)
        let decoder = RecordBatch.Decoder(maxUncompressedBytes: 1 << 20)
        var errors = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let index = 61 + Int(rng.next() % UInt64(bytes.count - 61))
                switch rng.next() % 4 {
                case 0: bytes[index] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[index] ^= 1 << (rng.next() % 8)
                case 2: bytes.removeSubrange(index...)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: index)
                }
                if bytes.count <= 61 { break }
            }
            var buffer = ByteBuffer(bytes: RecordTestBytes.refreshed(bytes))
            do {
                _ = try decoder.decode(from: &buffer)
            } catch {
                errors += 1  // typed: decode only throws RecordBatchError
            }
        }
        // Damage inside key or value bytes is undetectable behind a valid CRC and decodes;
        // structural damage must not. Most edits hit structure or shift it.
        #expect(errors > 1500, "random damage caught: \(errors) of 3000")
    }

    @Test func errorInALaterBatchNamesItsPosition() throws {
        let first = try Self.smallMixedBatch(.none)
        var second = try Self.smallMixedBatch(.lz4)
        second[100] ^= 0x10
        var buffer = ByteBuffer(bytes: first + second)
        let error = recordExpectError { _ = try RecordBatch.decodeBatches(from: &buffer) }
        #expect(error?.kind.recordTestIsCRCMismatch == true)
        #expect(error?.batchOffset == first.count)
        #expect(error?.offset == 17)
        #expect(buffer.readableBytes == second.count, "the whole first batch was consumed")
    }
}

extension RecordBatchError.Kind {
    var recordTestIsCRCMismatch: Bool {
        if case .crcMismatch = self { return true }
        return false
    }
}
