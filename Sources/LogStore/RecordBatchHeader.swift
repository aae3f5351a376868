import CCRC32C

/// The fields of a RecordBatch v2 header that the log needs; records are never decoded here.
///
/// Layout (big-endian): baseOffset 0, batchLength 8, partitionLeaderEpoch 12, magic 16, crc 17,
/// attributes 21, lastOffsetDelta 23, baseTimestamp 27, maxTimestamp 35, producerId 43,
/// producerEpoch 51, baseSequence 53, recordsCount 57, records 61. The CRC covers [21, end).
public struct RecordBatchHeader: Sendable, Equatable {
    public static let size = 61
    /// Bytes before and including batchLength; total size is this plus batchLength.
    public static let lengthPrefix = 12
    /// batchLength of a batch with no record bytes.
    public static let minimumBatchLength = Int32(size - lengthPrefix)
    /// Bytes needed to locate and bound a batch: up to and including lastOffsetDelta.
    static let locatingPrefix = 27

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordsCount: Int32

    /// Total bytes of the batch on disk and on the wire.
    public var totalSize: Int { Self.lengthPrefix + Int(batchLength) }
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }

    /// Reads the header at `offset`; the caller has checked that `size` bytes are there.
    public init(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        precondition(offset >= 0 && bytes.count - offset >= Self.size)
        baseOffset = bytes.int64(at: offset)
        batchLength = bytes.int32(at: offset + 8)
        partitionLeaderEpoch = bytes.int32(at: offset + 12)
        magic = Int8(bitPattern: bytes[offset + 16])
        crc = UInt32(bitPattern: bytes.int32(at: offset + 17))
        attributes = Int16(bitPattern: bytes.uint16(at: offset + 21))
        lastOffsetDelta = bytes.int32(at: offset + 23)
        baseTimestamp = bytes.int64(at: offset + 27)
        maxTimestamp = bytes.int64(at: offset + 35)
        producerId = bytes.int64(at: offset + 43)
        producerEpoch = Int16(bitPattern: bytes.uint16(at: offset + 51))
        baseSequence = bytes.int32(at: offset + 53)
        recordsCount = bytes.int32(at: offset + 57)
    }

    /// CRC-32C of a whole batch's bytes [21, end), as stored in its crc field.
    public static func computeCRC(_ batch: UnsafeRawBufferPointer) -> UInt32 {
        precondition(batch.count >= size)
        return crc32c_extend(0, batch.baseAddress! + 21, batch.count - 21)
    }

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
