import NIOCore

// Unsigned (NOT zig-zag) base-128 varints, used by flexible versions for compact lengths,
// counts and tagged-field headers. Record-level zig-zag varints live in Records/.

extension ByteBuffer {
    /// Reads an unsigned varint of at most 5 bytes (Kafka's `readUnsignedVarint`).
    public mutating func readKafkaUnsignedVarint(_ field: String = "uvarint") throws(KafkaWireError) -> UInt32 {
        let start = readerIndex
        var result: UInt32 = 0
        var shift: UInt32 = 0
        var index = readerIndex
        while true {
            guard let byte = getInteger(at: index, as: UInt8.self) else {
                throw KafkaWireError(.truncated(needed: index - start + 1, available: readableBytes), field: field, offset: start)
            }
            index += 1
            // The 5th byte may only carry the top 4 bits of a 32-bit value.
            if shift == 28 && byte > 0x0F {
                throw KafkaWireError(.malformedVarint, field: field, offset: start)
            }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        moveReaderIndex(to: index)
        return result
    }

    /// Writes an unsigned varint (1 to 5 bytes).
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) {
        var v = value
        while v >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeInteger(UInt8(truncatingIfNeeded: v))
    }

    /// Reads a compact length (uvarint of length+1). Returns nil for the null encoding (0).
    mutating func readKafkaCompactLength(_ field: String, limit: Int) throws(KafkaWireError) -> Int? {
        let start = readerIndex
        let raw = try readKafkaUnsignedVarint(field)
        if raw == 0 { return nil }
        let length = Int(raw) - 1
        if length > limit {
            throw KafkaWireError(.lengthTooLarge(length: length, limit: limit), field: field, offset: start)
        }
        return length
    }

    /// Writes a compact length (uvarint of length+1), or 0 for null.
    mutating func writeKafkaCompactLength(_ length: Int?) {
        guard let length else {
            writeKafkaUnsignedVarint(0)
            return
        }
        writeKafkaUnsignedVarint(UInt32(length + 1))
    }
}
