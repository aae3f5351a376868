import NIOCore

// Fixed-width big-endian integers and booleans (Kafka's classic types).
// Readers throw a typed error instead of returning nil so message decoders stay linear.

extension ByteBuffer {
    /// Reads a big-endian fixed-width integer or throws `.truncated` with the field name.
    mutating func readKafkaInteger<T: FixedWidthInteger>(_ field: String, as type: T.Type = T.self) throws(KafkaWireError) -> T {
        guard let value = readInteger(endianness: .big, as: T.self) else {
            throw KafkaWireError(
                .truncated(needed: MemoryLayout<T>.size, available: readableBytes),
                field: field, offset: readerIndex)
        }
        return value
    }

    public mutating func readKafkaInt8(_ field: String = "int8") throws(KafkaWireError) -> Int8 {
        try readKafkaInteger(field)
    }

    public mutating func readKafkaInt16(_ field: String = "int16") throws(KafkaWireError) -> Int16 {
        try readKafkaInteger(field)
    }

    public mutating func readKafkaInt32(_ field: String = "int32") throws(KafkaWireError) -> Int32 {
        try readKafkaInteger(field)
    }

    public mutating func readKafkaInt64(_ field: String = "int64") throws(KafkaWireError) -> Int64 {
        try readKafkaInteger(field)
    }

    /// Kafka's bool is an int8; like Kafka's own reader, any non-zero byte means true.
    public mutating func readKafkaBool(_ field: String = "bool") throws(KafkaWireError) -> Bool {
        try readKafkaInt8(field) != 0
    }

    public mutating func writeKafkaInt8(_ value: Int8) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeKafkaInt16(_ value: Int16) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeKafkaInt32(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeKafkaInt64(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    public mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? Int8(1) : Int8(0), endianness: .big)
    }
}
