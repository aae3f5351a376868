import LogStore

/// The batches the crash child appends: each one is a pure function of the offset it lands at, so the
/// parent can regenerate and compare every acknowledged batch byte for byte after a SIGKILL.
public enum CrashWorkload {
    public static func batch(at offset: Int64) -> [UInt8] {
        let records = Int32(offset % 5) + 1
        let size = RecordBatchHeader.size + Int((offset &* 7919) % 3000)
        return SyntheticBatch.make(recordCount: records, totalSize: size, maxTimestamp: 1_700_000_000_000 + offset,
                                   seed: UInt64(offset))
    }

    /// The batch as the log stores it: base offset written in, leader epoch 0.
    public static func storedBatch(at offset: Int64) -> [UInt8] {
        var bytes = batch(at: offset)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: offset.bigEndian, toByteOffset: 0, as: Int64.self)
            raw.storeBytes(of: Int32(0).bigEndian, toByteOffset: 12, as: Int32.self)
        }
        return bytes
    }

    /// The log configuration both sides use: small segments so that kills also land around rolls.
    public static var config: LogConfig {
        var config = LogConfig()
        config.segmentBytes = 256 * 1024
        config.indexIntervalBytes = 1024
        config.flushPolicy = .everyAppend
        return config
    }
}
