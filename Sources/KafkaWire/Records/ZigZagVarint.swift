import NIOCore

/// Kafka's record-level variable-length integers: zig-zag mapping, then little-endian base 128
/// (protobuf `sint32`/`sint64`). A varint (int32) takes at most 5 bytes, a varlong (int64) 10.
///
/// Decoding is strict where Kafka's Java reader is lax: besides "too long", a final byte with
/// bits beyond the integer's width (e.g. 5th byte > 0x0F) is `.varintOverflow` instead of
/// silently dropping bits, because no encoder writes that and it would let two byte strings
/// decode to one value. Zero-padded (non-minimal) encodings are accepted, as everywhere else.
public enum ZigZagVarint {
    public static let maxVarintBytes = 5
    public static let maxVarlongBytes = 10

    // MARK: Zig-zag mapping

    /// Maps small negative and positive numbers to small unsigned ones: 0→0, -1→1, 1→2, -2→3 ...
    @inlinable public static func zigZag(_ value: Int32) -> UInt32 {
        UInt32(bitPattern: (value << 1) ^ (value >> 31))
    }
    @inlinable public static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
    @inlinable public static func unZigZag(_ value: UInt32) -> Int32 {
        Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
    @inlinable public static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    // MARK: Sizes

    /// Encoded length of `value` as a varint (1...5), used to write record lengths up front.
    @inlinable public static func size(ofVarint value: Int32) -> Int {
        unsignedSize(UInt64(zigZag(value)))
    }
    /// Encoded length of `value` as a varlong (1...10).
    @inlinable public static func size(ofVarlong value: Int64) -> Int {
        unsignedSize(zigZag(value))
    }
    @inlinable static func unsignedSize(_ value: UInt64) -> Int {
        // 7 payload bits per byte; the zero value still takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    // MARK: Encoding

    /// Appends `value` as a zig-zag varint; returns the bytes written.
    @discardableResult
    public static func writeVarint(_ value: Int32, to buffer: inout ByteBuffer) -> Int {
        writeUnsigned(UInt64(zigZag(value)), to: &buffer)
    }

    /// Appends `value` as a zig-zag varlong; returns the bytes written.
    @discardableResult
    public static func writeVarlong(_ value: Int64, to buffer: inout ByteBuffer) -> Int {
        writeUnsigned(zigZag(value), to: &buffer)
    }

    /// Writes straight into the buffer's storage: one capacity check per value, not per byte.
    static func writeUnsigned(_ value: UInt64, to buffer: inout ByteBuffer) -> Int {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maxVarlongBytes) { out in
            store(value, into: out)
        }
    }

    /// Stores `value` at the start of `out`, which has room for 10 bytes; returns the length.
    @inline(__always)
    static func store(_ value: UInt64, into out: UnsafeMutableRawBufferPointer) -> Int {
        var rest = value
        var count = 0
        while rest >= 0x80 {
            out[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            count += 1
        }
        out[count] = UInt8(truncatingIfNeeded: rest)
        return count + 1
    }

    // MARK: Decoding

    /// Decodes a varint at `offset` of `bytes` and advances `offset` past it.
    /// - Throws: `.truncated`, `.varintTooLong` or `.varintOverflow`, with the varint's first
    ///   byte as the offset; `offset` is left unchanged.
    public static func decodeVarint(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int
    ) throws(RecordBatchError) -> Int32 {
        let raw = try decodeUnsigned(bytes, at: &offset, end: bytes.count, maxBytes: maxVarintBytes)
        return unZigZag(UInt32(truncatingIfNeeded: raw))
    }

    /// Decodes a varlong at `offset` of `bytes` and advances `offset` past it.
    public static func decodeVarlong(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int
    ) throws(RecordBatchError) -> Int64 {
        unZigZag(try decodeUnsigned(bytes, at: &offset, end: bytes.count, maxBytes: maxVarlongBytes))
    }

    /// Reads a varint at the reader index and moves the reader index past it (only on success).
    /// Error offsets count from the reader index.
    public static func readVarint(from buffer: inout ByteBuffer) throws(RecordBatchError) -> Int32 {
        var offset = 0
        let value = try buffer.withUnsafeReadableBytes { bytes throws(RecordBatchError) in
            try decodeVarint(bytes, at: &offset)
        }
        buffer.moveReaderIndex(forwardBy: offset)
        return value
    }

    /// Reads a varlong at the reader index and moves the reader index past it (only on success).
    public static func readVarlong(from buffer: inout ByteBuffer) throws(RecordBatchError) -> Int64 {
        var offset = 0
        let value = try buffer.withUnsafeReadableBytes { bytes throws(RecordBatchError) in
            try decodeVarlong(bytes, at: &offset)
        }
        buffer.moveReaderIndex(forwardBy: offset)
        return value
    }

    /// The base-128 decoder shared by both widths; `end` bounds the read (a record's end).
    @inline(__always)
    static func decodeUnsigned(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int, end: Int, maxBytes: Int
    ) throws(RecordBatchError) -> UInt64 {
        let start = offset
        var index = start
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else { throw RecordBatchError(.truncated, offset: start) }
            let byte = bytes[index]
            index += 1
            if index - start == maxBytes {
                // The last allowed byte: no continuation, and only the bits that still fit.
                if byte & 0x80 != 0 { throw RecordBatchError(.varintTooLong, offset: start) }
                let bitsLeft = maxBytes == maxVarintBytes ? 32 - 28 : 64 - 63
                if byte >> bitsLeft != 0 { throw RecordBatchError(.varintOverflow, offset: start) }
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                offset = index
                return result
            }
            shift += 7
        }
    }
}
