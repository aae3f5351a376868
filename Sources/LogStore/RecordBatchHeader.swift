import RecordBatchLayout

/// The RecordBatch v2 header the log reads (records are never decoded here): the one parser of the
/// 61-byte layout, shared with KafkaWire.
public typealias RecordBatchHeader = RecordBatchLayout.RecordBatchHeader

extension RecordBatchHeader {
    /// Checks one batch at `offset` of `bytes` exactly as recovery and append do: enough bytes for the
    /// header and for batchLength, batchLength at least the minimum, magic 2, a matching CRC-32C and
    /// recordsCount = lastOffsetDelta + 1. Returns the header, or why the batch is invalid.
    static func validate(
        _ bytes: UnsafeRawBufferPointer, at offset: Int
    ) -> Result<RecordBatchHeader, LogStoreError.InvalidBatchReason> {
        let available = bytes.count - offset
        guard available >= lengthPrefix else { return .failure(.truncated) }
        let batchLength = bytes.int32(at: offset + 8)
        guard batchLength >= minimumBatchLength else { return .failure(.badLength) }
        guard available >= size, available - lengthPrefix >= Int(batchLength) else {
            return .failure(.truncated)
        }
        let header = RecordBatchHeader(bytes, at: offset)
        guard header.magic == 2 else { return .failure(.badMagic) }
        let batch = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + header.totalSize)])
        guard computeCRC(batch) == header.crc else { return .failure(.badCRC) }
        guard header.lastOffsetDelta >= 0, Int64(header.recordsCount) == Int64(header.lastOffsetDelta) + 1 else {
            return .failure(.badRecordCount)
        }
        return .success(header)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always) func int64(at offset: Int) -> Int64 {
        Int64(bigEndian: loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }
    @inline(__always) func int32(at offset: Int) -> Int32 {
        Int32(bigEndian: loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }
    @inline(__always) func uint32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inline(__always) func uint16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func storeBigEndian(_ value: Int64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int64.self)
    }
    @inline(__always) func storeBigEndian(_ value: Int32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Int32.self)
    }
    @inline(__always) func storeBigEndian(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
}
