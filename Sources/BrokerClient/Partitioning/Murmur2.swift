import NIOCore

/// Kafka's `Utils.murmur2`: the hash behind the Java client's default partitioner (and
/// kafka-python's `DefaultPartitioner`, and librdkafka's `murmur2_random`). Keyed records must
/// land on the same partition whichever client produced them, so this is bit-exact with Java:
/// seed 0x9747b28c, little-endian 4-byte blocks, Java's tail switch, and 32-bit wrapping
/// arithmetic (Java `int` multiplication and `>>>` are the same bits as `UInt32` `&*` and `>>`).
public enum Murmur2 {
    static let seed: UInt32 = 0x9747_b28c
    static let m: UInt32 = 0x5bd1_e995
    static let r: UInt32 = 24

    /// The hash as Java's signed `int`, so values compare directly with Kafka's test vectors.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Int32 {
        if let result = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { hash($0) }
    }

    /// Hashes the readable bytes of `buffer` without copying them.
    public static func hash(_ buffer: ByteBuffer) -> Int32 {
        buffer.withUnsafeReadableBytes { hash($0) }
    }

    /// The core loop over raw bytes.
    public static func hash(_ data: UnsafeRawBufferPointer) -> Int32 {
        let length = data.count
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            let base = i * 4
            var k = UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16 | UInt32(data[base + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        // Java's fall-through switch on length % 4.
        let tail = blocks * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on Int32.min).
    public static func toPositive(_ value: Int32) -> Int32 {
        value & 0x7fff_ffff
    }
}
