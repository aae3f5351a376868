import CCRC32C
import LogStore

/// Builds valid RecordBatch v2 bytes whose record section is opaque filler: LogStore never decodes
/// records, so tests, the crash child and benchmarks need only a correct header and CRC.
public enum SyntheticBatch {
    /// A batch of `recordCount` records occupying `totalSize` bytes (at least the 61-byte header),
    /// with filler derived from `seed` so that any batch can be regenerated and compared byte for byte.
    public static func make(recordCount: Int32 = 1, totalSize: Int, maxTimestamp: Int64 = 0,
                            producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
                            seed: UInt64 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(totalSize, RecordBatchHeader.size))
        bytes.withUnsafeMutableBytes { raw in
            fill(raw, recordCount: recordCount, maxTimestamp: maxTimestamp, producerId: producerId,
                 producerEpoch: producerEpoch, baseSequence: baseSequence, seed: seed)
        }
        return bytes
    }

    /// Writes a batch into `raw` (which must hold at least 61 bytes), filling the whole buffer.
    public static func fill(_ raw: UnsafeMutableRawBufferPointer, recordCount: Int32 = 1, maxTimestamp: Int64 = 0,
                            producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
                            seed: UInt64 = 0) {
        precondition(raw.count >= RecordBatchHeader.size && recordCount >= 1)
        func put<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
            raw.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
        }
        put(Int64(0), 0)
        put(Int32(raw.count - RecordBatchHeader.lengthPrefix), 8)
        put(Int32(0), 12)
        raw[16] = 2
        put(Int16(0), 21)
        put(recordCount - 1, 23)
        put(maxTimestamp, 27)
        put(maxTimestamp, 35)
        put(producerId, 43)
        put(producerEpoch, 51)
        put(baseSequence, 53)
        put(recordCount, 57)
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var i = RecordBatchHeader.size
        while i < raw.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var word = state >> 16
            let end = min(i + 6, raw.count)
            while i < end {
                raw[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        let crc = crc32c_extend(0, raw.baseAddress! + 21, raw.count - 21)
        put(crc, 17)
    }
}
