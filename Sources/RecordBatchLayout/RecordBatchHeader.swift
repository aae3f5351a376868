import CCRC32C

/// The 61-byte header of a RecordBatch v2, read field by field without touching the records: the one
/// parser of that layout, shared by LogStore (recovery, indexes, append checks) and KafkaWire (its
/// validating `RecordBatch.Header`). It depends on nothing but the CRC-32C, so neither gains a dependency.
///
/// Layout (big-endian): baseOffset 0, batchLength 8, partitionLeaderEpoch 12, magic 16, crc 17,
/// attributes 21, lastOffsetDelta 23, baseTimestamp 27, maxTimestamp 35, producerId 43,
/// producerEpoch 51, baseSequence 53, recordsCount 57, records 61. The CRC covers [21, end).
public struct RecordBatchHeader: Sendable, Hashable {
    public static let size = 61
    /// Bytes before and including batchLength; total size is this plus batchLength.
    public static let lengthPrefix = 12
    /// batchLength of a batch with no record bytes.
    public static let minimumBatchLength = Int32(size - lengthPrefix)
    /// Bytes needed to locate and bound a batch: up to and including lastOffsetDelta.
    public static let locatingPrefix = 27
    /// The CRC-32C covers the batch from here (attributes) to its end.
    public static let crcCoverageStart = 21

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
        baseOffset = bytes.bigEndianInteger(at: offset)
        batchLength = bytes.bigEndianInteger(at: offset + 8)
        partitionLeaderEpoch = bytes.bigEndianInteger(at: offset + 12)
        magic = Int8(bitPattern: bytes[offset + 16])
        crc = bytes.bigEndianInteger(at: offset + 17)
        attributes = bytes.bigEndianInteger(at: offset + 21)
        lastOffsetDelta = bytes.bigEndianInteger(at: offset + 23)
        baseTimestamp = bytes.bigEndianInteger(at: offset + 27)
        maxTimestamp = bytes.bigEndianInteger(at: offset + 35)
        producerId = bytes.bigEndianInteger(at: offset + 43)
        producerEpoch = bytes.bigEndianInteger(at: offset + 51)
        baseSequence = bytes.bigEndianInteger(at: offset + 53)
        recordsCount = bytes.bigEndianInteger(at: offset + 57)
    }

    /// CRC-32C of a whole batch's bytes [21, end), as stored in its crc field.
    public static func computeCRC(_ batch: UnsafeRawBufferPointer) -> UInt32 {
        precondition(batch.count >= size)
        return crc32c_extend(0, batch.baseAddress! + crcCoverageStart, batch.count - crcCoverageStart)
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian integer at `offset` (unaligned). Named apart from the modules' own readers so that
    /// no call becomes ambiguous in a module that has both.
    @inline(__always) fileprivate func bigEndianInteger<T: FixedWidthInteger>(at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
