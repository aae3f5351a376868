import CCRC32C
import LZ4
import NIOCore

/// Builds one RecordBatch v2 the way a producer does, a record at a time: each `append` encodes
/// its record straight into the batch's buffer (length varint, attributes 0, timestampDelta from
/// the first record's timestamp, offsetDelta = its index, key, value, headers), behind 61 bytes
/// kept for the header. `finish` then writes the header (baseOffset 0, partitionLeaderEpoch,
/// lastOffsetDelta = count - 1, first and largest timestamp, producer id, epoch, base sequence,
/// record count), LZ4-compresses the records section when asked, and computes the CRC-32C.
///
/// Nothing is allocated per record: no `Record`, no key or value buffers. For the same records
/// the bytes are identical to `RecordBatch(producing:...).encoded(compression:)`.
public struct RecordBatchBuilder: Sendable {
    /// Header space, then the plain records. Uniquely owned, so appends never copy it.
    private var buffer: ByteBuffer
    /// Records appended so far.
    public private(set) var count = 0
    /// The first record's timestamp (the batch's baseTimestamp); 0 while empty.
    public private(set) var firstTimestamp: Int64 = 0
    /// The largest record timestamp; -1 while empty.
    public private(set) var maxTimestamp: Int64 = -1

    /// `capacity` is the expected size of the whole batch; the buffer grows past it as needed.
    public init(capacity: Int = 16 << 10) {
        buffer = ByteBufferAllocator().buffer(capacity: max(capacity, RecordBatch.headerSize))
        buffer.writeRepeatingByte(0, count: RecordBatch.headerSize)
    }

    public var isEmpty: Bool { count == 0 }
    /// Bytes of the batch as written so far, uncompressed: header plus records.
    public var sizeInBytes: Int { buffer.readableBytes }
    /// Bytes of the plain records section.
    public var recordsSizeInBytes: Int { buffer.readableBytes - RecordBatch.headerSize }

    // MARK: Sizes

    /// Bytes a record takes in the records section, its length varint included.
    public static func recordSize(
        keyCount: Int?, valueCount: Int?, headers: [RecordHeader] = [], timestampDelta: Int64, offsetDelta: Int32
    ) -> Int {
        let body = bodySize(
            keyCount: keyCount, valueCount: valueCount, headers: headers, timestampDelta: timestampDelta,
            offsetDelta: offsetDelta)
        return ZigZagVarint.size(ofVarint: Int32(truncatingIfNeeded: body)) + body
    }

    /// Bytes the next record with these fields would add to this batch.
    public func sizeOfNextRecord(keyCount: Int?, valueCount: Int?, headers: [RecordHeader] = [], timestamp: Int64) -> Int {
        Self.recordSize(
            keyCount: keyCount, valueCount: valueCount, headers: headers,
            timestampDelta: count == 0 ? 0 : timestamp &- firstTimestamp, offsetDelta: Int32(truncatingIfNeeded: count))
    }

    @inline(__always)
    static func bodySize(
        keyCount: Int?, valueCount: Int?, headers: [RecordHeader], timestampDelta: Int64, offsetDelta: Int32
    ) -> Int {
        var size = 1 + ZigZagVarint.size(ofVarlong: timestampDelta) + ZigZagVarint.size(ofVarint: offsetDelta)
        size += Record.nullableFieldSize(keyCount)
        size += Record.nullableFieldSize(valueCount)
        size += ZigZagVarint.size(ofVarint: Int32(truncatingIfNeeded: headers.count))
        for header in headers {
            size += Record.nullableFieldSize(header.key.utf8.count)
            size += Record.nullableFieldSize(header.value?.readableBytes)
        }
        return size
    }

    // MARK: Appending

    /// Appends one record with an absolute timestamp (milliseconds); returns the bytes it took.
    /// - Throws: `.valueTooLarge` when a length, the record count or the batch would not fit its
    ///   int32 field; the builder is then unchanged.
    @discardableResult
    public mutating func append(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [RecordHeader] = [], timestamp: Int64
    ) throws(RecordBatchError) -> Int {
        let limit = Int(Int32.max)
        guard count < limit else {
            throw RecordBatchError(.valueTooLarge, offset: 57, detail: "\(count + 1) records")
        }
        let timestampDelta = count == 0 ? 0 : timestamp &- firstTimestamp
        let offsetDelta = Int32(truncatingIfNeeded: count)
        let fieldsFit =
            (key?.count ?? 0) <= limit && (value?.count ?? 0) <= limit && headers.count <= limit
            && headers.allSatisfy { $0.key.utf8.count <= limit && ($0.value?.readableBytes ?? 0) <= limit }
        let body = Self.bodySize(
            keyCount: key?.count, valueCount: value?.count, headers: headers, timestampDelta: timestampDelta,
            offsetDelta: offsetDelta)
        guard fieldsFit, body <= limit else {
            throw RecordBatchError(.valueTooLarge, offset: 61, detail: "record with offsetDelta \(offsetDelta)")
        }
        let total = ZigZagVarint.size(ofVarint: Int32(body)) + body
        // batchLength counts everything after its own field: 49 header bytes plus the records.
        guard recordsSizeInBytes + total <= limit - RecordBatch.minimumBatchLength else {
            throw RecordBatchError(.valueTooLarge, offset: 8, detail: "records exceed the int32 batchLength")
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { out in
            var position = 0
            Self.storeVarint(Int32(body), out, &position)
            out[position] = 0  // attributes
            position += 1
            position += ZigZagVarint.store(
                ZigZagVarint.zigZag(timestampDelta), into: UnsafeMutableRawBufferPointer(rebasing: out[position...]))
            Self.storeVarint(offsetDelta, out, &position)
            Self.storeNullable(key, out, &position)
            Self.storeNullable(value, out, &position)
            Self.storeVarint(Int32(truncatingIfNeeded: headers.count), out, &position)
            for header in headers {
                var headerKey = header.key
                headerKey.withUTF8 { utf8 in
                    Self.storeNullable(UnsafeRawBufferPointer(utf8), out, &position)
                }
                if let headerValue = header.value {
                    headerValue.withUnsafeReadableBytes { Self.storeNullable($0, out, &position) }
                } else {
                    Self.storeNullable(nil, out, &position)
                }
            }
            assert(position == total, "bodySize disagrees with the bytes written")
            return position
        }
        if count == 0 {
            firstTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        count += 1
        return total
    }

    /// `append` for byte arrays (`nil` is a null key or value).
    @discardableResult
    public mutating func append(
        key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64
    ) throws(RecordBatchError) -> Int {
        try Self.withOptionalBytes(key) { (key) throws(RecordBatchError) -> Int in
            try Self.withOptionalBytes(value) { (value) throws(RecordBatchError) -> Int in
                try append(key: key, value: value, headers: headers, timestamp: timestamp)
            }
        }
    }

    /// `append` for buffers: their readable bytes are copied (`nil` is a null key or value).
    @discardableResult
    public mutating func append(
        key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = [], timestamp: Int64
    ) throws(RecordBatchError) -> Int {
        try Self.withOptionalBytes(key) { (key) throws(RecordBatchError) -> Int in
            try Self.withOptionalBytes(value) { (value) throws(RecordBatchError) -> Int in
                try append(key: key, value: value, headers: headers, timestamp: timestamp)
            }
        }
    }

    // MARK: Finishing

    /// The batch in wire form. The builder is left empty (ready for the next batch, with a buffer
    /// of `nextCapacity` bytes); the returned buffer is the one the records were written into
    /// (uncompressed) or a new one holding the LZ4 frame.
    ///
    /// - Throws: `.unsupportedCompression` for codecs other than none and LZ4, or an LZ4 failure;
    ///   the builder keeps its records then.
    public mutating func finish(
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        compression: CompressionCodec = .none,
        isTransactional: Bool = false,
        partitionLeaderEpoch: Int32 = 0,
        nextCapacity: Int = 16 << 10
    ) throws(RecordBatchError) -> ByteBuffer {
        guard compression == .none || compression == .lz4 else {
            throw RecordBatchError(.unsupportedCompression(compression), offset: 21)
        }
        var batch: ByteBuffer
        if compression == .lz4 {
            batch = try compressed()
        } else {
            batch = buffer
            buffer = ByteBuffer()  // drop our reference: the header writes below must not copy
        }
        let attributes = (isTransactional ? RecordBatch.transactionalMask : 0) | compression.rawValue
        let start = batch.readerIndex
        batch.setInteger(Int64(0), at: start)  // baseOffset
        // Fits: append kept the records within the int32 batchLength, and LZ4 is checked in compressed().
        batch.setInteger(Int32(truncatingIfNeeded: batch.readableBytes - RecordBatch.lengthPrefixSize), at: start + 8)
        batch.setInteger(partitionLeaderEpoch, at: start + 12)
        batch.setInteger(Int8(2), at: start + 16)
        batch.setInteger(attributes, at: start + 21)
        batch.setInteger(Int32(truncatingIfNeeded: count) &- 1, at: start + 23)  // lastOffsetDelta; -1 when empty
        batch.setInteger(firstTimestamp, at: start + 27)
        batch.setInteger(maxTimestamp, at: start + 35)
        batch.setInteger(producerId, at: start + 43)
        batch.setInteger(producerEpoch, at: start + 51)
        batch.setInteger(baseSequence, at: start + 53)
        batch.setInteger(Int32(truncatingIfNeeded: count), at: start + 57)
        let crc = batch.withUnsafeReadableBytes { RecordBatch.Header.computeCRC($0) }
        batch.setInteger(crc, at: start + 17)
        self = RecordBatchBuilder(capacity: nextCapacity)
        return batch
    }

    /// A new buffer: the header space, then the records section as one LZ4 frame.
    private func compressed() throws(RecordBatchError) -> ByteBuffer {
        let plainCount = recordsSizeInBytes
        var output: ByteBuffer
        do throws(LZ4Error) {
            let bound = try LZ4Frame.frameBound(plainCount)
            output = ByteBufferAllocator().buffer(capacity: RecordBatch.headerSize + bound)
            output.writeRepeatingByte(0, count: RecordBatch.headerSize)
            try buffer.withUnsafeReadableBytes { (storage) throws(LZ4Error) in
                let plain = UnsafeRawBufferPointer(rebasing: storage[RecordBatch.headerSize...])
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { (out) throws(LZ4Error) -> Int in
                    try LZ4Frame.compress(plain, into: out)
                }
            }
        } catch {
            throw RecordBatchError(
                .corruptCompressedRecords(error.kind), offset: RecordBatch.headerSize, detail: error.description)
        }
        guard output.readableBytes - RecordBatch.lengthPrefixSize <= Int(Int32.max) else {
            throw RecordBatchError(.valueTooLarge, offset: 8, detail: "compressed batch exceeds the int32 batchLength")
        }
        return output
    }

    // MARK: Stores

    @inline(__always)
    private static func withOptionalBytes<R>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws(RecordBatchError) -> R
    ) throws(RecordBatchError) -> R {
        guard let bytes else { return try body(nil) }
        // Array's withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        return try bytes.withUnsafeBytes { raw in Result { () throws(RecordBatchError) -> R in try body(raw) } }.get()
    }

    @inline(__always)
    private static func withOptionalBytes<R>(
        _ bytes: ByteBuffer?, _ body: (UnsafeRawBufferPointer?) throws(RecordBatchError) -> R
    ) throws(RecordBatchError) -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeReadableBytes { (raw) throws(RecordBatchError) -> R in try body(raw) }
    }

    @inline(__always)
    private static func storeVarint(_ value: Int32, _ out: UnsafeMutableRawBufferPointer, _ position: inout Int) {
        position += ZigZagVarint.store(
            UInt64(ZigZagVarint.zigZag(value)), into: UnsafeMutableRawBufferPointer(rebasing: out[position...]))
    }

    /// Length varint then the bytes; `nil` is the one-byte length -1.
    @inline(__always)
    private static func storeNullable(
        _ bytes: UnsafeRawBufferPointer?, _ out: UnsafeMutableRawBufferPointer, _ position: inout Int
    ) {
        guard let bytes else {
            storeVarint(-1, out, &position)
            return
        }
        storeVarint(Int32(truncatingIfNeeded: bytes.count), out, &position)
        UnsafeMutableRawBufferPointer(rebasing: out[position..<(position + bytes.count)]).copyMemory(from: bytes)
        position += bytes.count
    }
}
