import ShopTestSupport
import KafkaWire
import NIOCore
import Testing

@Suite("ZigZagVarint")
struct RecordVarintTests {
    private static func encodedVarint(_ value: Int32) -> [UInt8] {
        var buffer = ByteBuffer()
        let written = ZigZagVarint.writeVarint(value, to: &buffer)
        #expect(written == buffer.readableBytes)
        #expect(written == ZigZagVarint.size(ofVarint: value))
        return Array(buffer.readableBytesView)
    }

    private static func encodedVarlong(_ value: Int64) -> [UInt8] {
        var buffer = ByteBuffer()
        let written = ZigZagVarint.writeVarlong(value, to: &buffer)
        #expect(written == buffer.readableBytes)
        #expect(written == ZigZagVarint.size(ofVarlong: value))
        return Array(buffer.readableBytesView)
    }

    /// Vectors from the zig-zag definition (and protobuf's sint32 examples).
    @Test func knownVarintVectors() {
        let vectors: [(Int32, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]),
            (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]), (-65, [0x81, 0x01]),
            (300, [0xD8, 0x04]), (8191, [0xFE, 0x7F]), (-8192, [0xFF, 0x7F]), (8192, [0x80, 0x80, 0x01]),
            (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ]
        for (value, bytes) in vectors {
            #expect(Self.encodedVarint(value) == bytes, "varint \(value)")
            var buffer = ByteBuffer(bytes: bytes + [0xAA])  // a following byte must stay unread
            #expect((try? ZigZagVarint.readVarint(from: &buffer)) == value)
            #expect(buffer.readableBytes == 1)
            // The varlong encoding of the same value is identical.
            #expect(Self.encodedVarlong(Int64(value)) == bytes, "varlong \(value)")
        }
    }

    @Test func varlongLengths() throws {
        let vectors: [(Int64, Int)] = [
            (0, 1), (-1, 1), (63, 1), (-64, 1), (64, 2), (Int64(Int32.max), 5), (Int64(Int32.min), 5),
            (Int64(Int32.max) + 1, 5), (1 << 34, 6), (-(1 << 62), 9), (1 << 62, 10),
            (Int64.max, 10), (Int64.min, 10),
        ]
        for (value, length) in vectors {
            #expect(Self.encodedVarlong(value).count == length, "varlong \(value)")
        }
        #expect(Self.encodedVarlong(.max) == [0xFE] + [UInt8](repeating: 0xFF, count: 8) + [0x01])
        #expect(Self.encodedVarlong(.min) == [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func roundTripsAtEveryLengthBoundary() throws {
        var values32: [Int32] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
        var values64: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
        for shift in stride(from: 6, to: 63, by: 7) {
            let edge = Int64(1) << shift
            for candidate in [edge - 1, edge, -edge, -edge - 1] {
                values64.append(candidate)
                if let small = Int32(exactly: candidate) { values32.append(small) }
            }
        }
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let raw = rng.next()
            values64.append(Int64(bitPattern: raw) >> (raw % 64))
            values32.append(Int32(truncatingIfNeeded: Int64(bitPattern: raw) >> (raw % 64)))
        }

        var buffer = ByteBuffer()
        for value in values32 { ZigZagVarint.writeVarint(value, to: &buffer) }
        for value in values64 { ZigZagVarint.writeVarlong(value, to: &buffer) }
        for value in values32 { #expect(try ZigZagVarint.readVarint(from: &buffer) == value) }
        for value in values64 { #expect(try ZigZagVarint.readVarlong(from: &buffer) == value) }
        #expect(buffer.readableBytes == 0)

        // The raw-pointer API agrees.
        let bytes = Self.encodedVarlong(-123_456_789_012) + Self.encodedVarint(77)
        try bytes.withUnsafeBytes { raw throws in
            var offset = 0
            #expect(try ZigZagVarint.decodeVarlong(raw, at: &offset) == -123_456_789_012)
            #expect(try ZigZagVarint.decodeVarint(raw, at: &offset) == 77)
            #expect(offset == raw.count)
        }
    }

    @Test func zigZagMapping() {
        #expect(ZigZagVarint.zigZag(Int32(-1)) == 1)
        #expect(ZigZagVarint.zigZag(Int32.min) == UInt32.max)
        #expect(ZigZagVarint.zigZag(Int64.max) == UInt64.max - 1)
        #expect(ZigZagVarint.unZigZag(UInt32.max) == Int32.min)
        #expect(ZigZagVarint.unZigZag(UInt64(3)) == -2)
    }

    @Test func overlongVarintsFail() {
        // Six bytes: continuation still set on the fifth.
        let sixByteVarint: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        let error = recordExpectError {
            var buffer = ByteBuffer(bytes: sixByteVarint)
            _ = try ZigZagVarint.readVarint(from: &buffer)
        }
        #expect(error?.kind == .varintTooLong)
        #expect(error?.offset == 0)

        // Eleven-byte varlong.
        let elevenByteVarlong = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(
            recordExpectError {
                var buffer = ByteBuffer(bytes: elevenByteVarlong)
                _ = try ZigZagVarint.readVarlong(from: &buffer)
            }?.kind == .varintTooLong)

        // A 5-byte varint whose last byte carries bits 32+; a 10-byte varlong with bit 64+.
        #expect(
            recordExpectError {
                var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
                _ = try ZigZagVarint.readVarint(from: &buffer)
            }?.kind == .varintOverflow)
        #expect(
            recordExpectError {
                var buffer = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 9) + [0x02])
                _ = try ZigZagVarint.readVarlong(from: &buffer)
            }?.kind == .varintOverflow)

        // Int32.min as a varlong: the same five bytes decode with either width.
        var five = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect((try? ZigZagVarint.readVarlong(from: &five)) == Int64(Int32.min))
        // Non-minimal (zero-padded) encodings are accepted, as in Kafka.
        var padded = ByteBuffer(bytes: [0x82, 0x80, 0x00])
        #expect((try? ZigZagVarint.readVarint(from: &padded)) == 1)
    }

    @Test func truncatedVarintsFailAndDoNotConsume() {
        for bytes: [UInt8] in [[], [0x80], [0xFF, 0xFF], [0x80, 0x80, 0x80, 0x80]] {
            var buffer = ByteBuffer(bytes: bytes)
            let error = recordExpectError { _ = try ZigZagVarint.readVarint(from: &buffer) }
            #expect(error?.kind == .truncated)
            #expect(buffer.readableBytes == bytes.count, "reader index must not move on error")
        }
        var buffer = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 9))
        #expect(recordExpectError { _ = try ZigZagVarint.readVarlong(from: &buffer) }?.kind == .truncated)
    }
}
