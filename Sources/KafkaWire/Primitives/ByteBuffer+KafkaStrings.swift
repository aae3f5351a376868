import NIOCore

// Kafka strings: classic (int16 length, -1 = null) and compact (uvarint length+1, 0 = null).
// Lengths are checked against the remaining bytes before anything is copied, and the bytes
// must be valid UTF-8 (Kafka's own limit of 32767 bytes applies to both encodings).

/// Kafka caps every string at Int16.max UTF-8 bytes, compact ones included.
let kafkaMaxStringLength = Int(Int16.max)

extension ByteBuffer {
    /// Reads `length` bytes as UTF-8, validating before moving the reader index.
    mutating func readKafkaUTF8(length: Int, field: String, start: Int) throws(KafkaWireError) -> String {
        guard length <= readableBytes else {
            throw KafkaWireError(.truncated(needed: length, available: readableBytes), field: field, offset: start)
        }
        let decoded: String? = withUnsafeReadableBytes { raw in
            String(validating: UnsafeRawBufferPointer(rebasing: raw.prefix(length)), as: UTF8.self)
        }
        guard let decoded else {
            throw KafkaWireError(.invalidUTF8, field: field, offset: start)
        }
        moveReaderIndex(forwardBy: length)
        return decoded
    }

    /// Reads a non-nullable string (int16 length).
    public mutating func readKafkaString(_ field: String = "string") throws(KafkaWireError) -> String {
        let start = readerIndex
        guard let value = try readKafkaNullableString(field) else {
            throw KafkaWireError(.unexpectedNull, field: field, offset: start)
        }
        return value
    }

    /// Reads a nullable string (int16 length, -1 = null).
    public mutating func readKafkaNullableString(_ field: String = "string") throws(KafkaWireError) -> String? {
        let start = readerIndex
        let length = Int(try readKafkaInt16(field))
        if length == -1 { return nil }
        if length < 0 {
            throw KafkaWireError(.negativeLength(length), field: field, offset: start)
        }
        return try readKafkaUTF8(length: length, field: field, start: start)
    }

    /// Reads a non-nullable compact string (uvarint length+1).
    public mutating func readKafkaCompactString(_ field: String = "string") throws(KafkaWireError) -> String {
        let start = readerIndex
        guard let value = try readKafkaCompactNullableString(field) else {
            throw KafkaWireError(.unexpectedNull, field: field, offset: start)
        }
        return value
    }

    /// Reads a nullable compact string (uvarint length+1, 0 = null).
    public mutating func readKafkaCompactNullableString(_ field: String = "string") throws(KafkaWireError) -> String? {
        let start = readerIndex
        guard let length = try readKafkaCompactLength(field, limit: kafkaMaxStringLength) else { return nil }
        return try readKafkaUTF8(length: length, field: field, start: start)
    }

    /// Writes a non-nullable string. Longer than 32767 bytes cannot be represented, so it is
    /// cut at the last character boundary that fits (encoders never fail).
    public mutating func writeKafkaString(_ value: String) {
        let bytes = kafkaEncodableUTF8(value)
        writeKafkaInt16(Int16(bytes.count))
        writeBytes(bytes)
    }

    /// Writes a nullable string (-1 for nil).
    public mutating func writeKafkaNullableString(_ value: String?) {
        guard let value else {
            writeKafkaInt16(-1)
            return
        }
        writeKafkaString(value)
    }

    /// Writes a non-nullable compact string.
    public mutating func writeKafkaCompactString(_ value: String) {
        let bytes = kafkaEncodableUTF8(value)
        writeKafkaCompactLength(bytes.count)
        writeBytes(bytes)
    }

    /// Writes a nullable compact string (0 for nil).
    public mutating func writeKafkaCompactNullableString(_ value: String?) {
        guard let value else {
            writeKafkaCompactLength(nil)
            return
        }
        writeKafkaCompactString(value)
    }
}

/// The UTF-8 bytes of `value`, cut at a scalar boundary so that they fit in 32767 bytes.
func kafkaEncodableUTF8(_ value: String) -> Substring.UTF8View {
    let utf8 = Substring(value).utf8
    guard utf8.count > kafkaMaxStringLength else { return utf8 }
    var end = utf8.index(utf8.startIndex, offsetBy: kafkaMaxStringLength)
    // Step back over continuation bytes (10xxxxxx) so no scalar is split.
    while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 {
        end = utf8.index(before: end)
    }
    return utf8[utf8.startIndex..<end]
}
