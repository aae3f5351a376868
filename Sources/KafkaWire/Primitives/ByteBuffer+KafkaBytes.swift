import NIOCore

// Kafka bytes/records: classic (int32 length, -1 = null) and compact (uvarint length+1).
// Values are returned as zero-copy slices of the input: record batches pass through untouched.

extension ByteBuffer {
    /// Slices `length` bytes after checking they are there.
    mutating func readKafkaSlice(length: Int, field: String, start: Int) throws(KafkaWireError) -> ByteBuffer {
        guard length <= readableBytes, let slice = readSlice(length: length) else {
            throw KafkaWireError(.truncated(needed: length, available: readableBytes), field: field, offset: start)
        }
        return slice
    }

    /// Reads non-nullable bytes (int32 length).
    public mutating func readKafkaBytes(_ field: String = "bytes") throws(KafkaWireError) -> ByteBuffer {
        let start = readerIndex
        guard let value = try readKafkaNullableBytes(field) else {
            throw KafkaWireError(.unexpectedNull, field: field, offset: start)
        }
        return value
    }

    /// Reads nullable bytes (int32 length, -1 = null); also used for `records`.
    public mutating func readKafkaNullableBytes(_ field: String = "bytes") throws(KafkaWireError) -> ByteBuffer? {
        let start = readerIndex
        let length = Int(try readKafkaInt32(field))
        if length == -1 { return nil }
        if length < 0 {
            throw KafkaWireError(.negativeLength(length), field: field, offset: start)
        }
        return try readKafkaSlice(length: length, field: field, start: start)
    }

    /// Reads non-nullable compact bytes (uvarint length+1).
    public mutating func readKafkaCompactBytes(_ field: String = "bytes") throws(KafkaWireError) -> ByteBuffer {
        let start = readerIndex
        guard let value = try readKafkaCompactNullableBytes(field) else {
            throw KafkaWireError(.unexpectedNull, field: field, offset: start)
        }
        return value
    }

    /// Reads nullable compact bytes (uvarint length+1, 0 = null).
    public mutating func readKafkaCompactNullableBytes(_ field: String = "bytes") throws(KafkaWireError) -> ByteBuffer? {
        let start = readerIndex
        guard let length = try readKafkaCompactLength(field, limit: Int(Int32.max)) else { return nil }
        return try readKafkaSlice(length: length, field: field, start: start)
    }

    /// Writes non-nullable bytes (the readable bytes of `value`).
    public mutating func writeKafkaBytes(_ value: ByteBuffer) {
        writeKafkaInt32(Int32(value.readableBytes))
        writeImmutableBuffer(value)
    }

    /// Writes nullable bytes (-1 for nil).
    public mutating func writeKafkaNullableBytes(_ value: ByteBuffer?) {
        guard let value else {
            writeKafkaInt32(-1)
            return
        }
        writeKafkaBytes(value)
    }

    /// Writes non-nullable compact bytes.
    public mutating func writeKafkaCompactBytes(_ value: ByteBuffer) {
        writeKafkaCompactLength(value.readableBytes)
        writeImmutableBuffer(value)
    }

    /// Writes nullable compact bytes (0 for nil).
    public mutating func writeKafkaCompactNullableBytes(_ value: ByteBuffer?) {
        guard let value else {
            writeKafkaCompactLength(nil)
            return
        }
        writeKafkaCompactBytes(value)
    }
}
