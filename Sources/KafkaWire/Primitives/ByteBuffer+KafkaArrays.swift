import NIOCore

// Kafka arrays: classic (int32 count, -1 = null) and compact (uvarint count+1, 0 = null).
// A count is checked against the remaining bytes (count * minimum element size) before any
// element is read, so a count like 2^31-1 fails at once, and capacity is never reserved from
// an untrusted count.

/// Capacity reserved up front for decoded arrays; beyond this they grow as elements arrive.
let kafkaArrayInitialCapacityLimit = 64

extension ByteBuffer {
    /// Validates a decoded count: -1 means null, other negatives fail, and the elements must fit.
    func checkKafkaArrayCount(_ count: Int, nullable: Bool, minElementSize: Int, field: String, start: Int) throws(KafkaWireError) -> Int? {
        if count == -1 {
            if nullable { return nil }
            throw KafkaWireError(.unexpectedNull, field: field, offset: start)
        }
        if count < 0 {
            throw KafkaWireError(.negativeLength(count), field: field, offset: start)
        }
        if count > readableBytes / max(minElementSize, 1) {
            throw KafkaWireError(.countTooLarge(count: count, available: readableBytes), field: field, offset: start)
        }
        return count
    }

    /// Reads an int32 array count; nil when the array is null (-1).
    public mutating func readKafkaArrayCount(_ field: String = "array", nullable: Bool, minElementSize: Int = 1) throws(KafkaWireError) -> Int? {
        let start = readerIndex
        let count = Int(try readKafkaInt32(field))
        return try checkKafkaArrayCount(count, nullable: nullable, minElementSize: minElementSize, field: field, start: start)
    }

    /// Reads a compact array count (uvarint count+1); nil when the array is null (0).
    public mutating func readKafkaCompactArrayCount(_ field: String = "array", nullable: Bool, minElementSize: Int = 1) throws(KafkaWireError) -> Int? {
        let start = readerIndex
        let count = Int(try readKafkaUnsignedVarint(field)) - 1
        return try checkKafkaArrayCount(count, nullable: nullable, minElementSize: minElementSize, field: field, start: start)
    }

    /// Reads `count` elements with `element`.
    mutating func readKafkaElements<T>(_ count: Int, _ element: (inout ByteBuffer) throws(KafkaWireError) -> T) throws(KafkaWireError) -> [T] {
        var result: [T] = []
        result.reserveCapacity(min(count, kafkaArrayInitialCapacityLimit))
        for _ in 0..<count {
            result.append(try element(&self))
        }
        return result
    }

    /// Reads a non-nullable classic array.
    public mutating func readKafkaArray<T>(
        _ field: String = "array", minElementSize: Int = 1,
        _ element: (inout ByteBuffer) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T] {
        let count = try readKafkaArrayCount(field, nullable: false, minElementSize: minElementSize) ?? 0
        return try readKafkaElements(count, element)
    }

    /// Reads a nullable classic array (nil for -1).
    public mutating func readKafkaNullableArray<T>(
        _ field: String = "array", minElementSize: Int = 1,
        _ element: (inout ByteBuffer) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T]? {
        guard let count = try readKafkaArrayCount(field, nullable: true, minElementSize: minElementSize) else { return nil }
        return try readKafkaElements(count, element)
    }

    /// Reads a non-nullable compact array.
    public mutating func readKafkaCompactArray<T>(
        _ field: String = "array", minElementSize: Int = 1,
        _ element: (inout ByteBuffer) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T] {
        let count = try readKafkaCompactArrayCount(field, nullable: false, minElementSize: minElementSize) ?? 0
        return try readKafkaElements(count, element)
    }

    /// Reads a nullable compact array (nil for 0).
    public mutating func readKafkaCompactNullableArray<T>(
        _ field: String = "array", minElementSize: Int = 1,
        _ element: (inout ByteBuffer) throws(KafkaWireError) -> T
    ) throws(KafkaWireError) -> [T]? {
        guard let count = try readKafkaCompactArrayCount(field, nullable: true, minElementSize: minElementSize) else { return nil }
        return try readKafkaElements(count, element)
    }

    /// Reads a non-nullable classic array of versioned structs.
    public mutating func readKafkaArray<T: KafkaWireCodable>(of type: T.Type, version: Int16, _ field: String = "array") throws(KafkaWireError) -> [T] {
        try readKafkaArray(field) { (buffer: inout ByteBuffer) throws(KafkaWireError) in
            try T.decode(from: &buffer, version: version)
        }
    }

    /// Reads a nullable classic array of versioned structs.
    public mutating func readKafkaNullableArray<T: KafkaWireCodable>(of type: T.Type, version: Int16, _ field: String = "array") throws(KafkaWireError) -> [T]? {
        try readKafkaNullableArray(field) { (buffer: inout ByteBuffer) throws(KafkaWireError) in
            try T.decode(from: &buffer, version: version)
        }
    }

    /// Reads a non-nullable array of int32.
    public mutating func readKafkaInt32Array(_ field: String = "array") throws(KafkaWireError) -> [Int32] {
        try readKafkaArray(field, minElementSize: 4) { (buffer: inout ByteBuffer) throws(KafkaWireError) in
            try buffer.readKafkaInt32(field)
        }
    }

    /// Reads a non-nullable array of non-nullable strings.
    public mutating func readKafkaStringArray(_ field: String = "array") throws(KafkaWireError) -> [String] {
        try readKafkaArray(field, minElementSize: 2) { (buffer: inout ByteBuffer) throws(KafkaWireError) in
            try buffer.readKafkaString(field)
        }
    }

    /// Writes a classic array with `body` for each element.
    public mutating func writeKafkaArray<C: Collection>(_ elements: C, _ body: (inout ByteBuffer, C.Element) -> Void) {
        writeKafkaInt32(Int32(elements.count))
        for element in elements { body(&self, element) }
    }

    /// Writes a nullable classic array (-1 for nil).
    public mutating func writeKafkaNullableArray<C: Collection>(_ elements: C?, _ body: (inout ByteBuffer, C.Element) -> Void) {
        guard let elements else {
            writeKafkaInt32(-1)
            return
        }
        writeKafkaArray(elements, body)
    }

    /// Writes a compact array with `body` for each element.
    public mutating func writeKafkaCompactArray<C: Collection>(_ elements: C, _ body: (inout ByteBuffer, C.Element) -> Void) {
        writeKafkaCompactLength(elements.count)
        for element in elements { body(&self, element) }
    }

    /// Writes a nullable compact array (0 for nil).
    public mutating func writeKafkaCompactNullableArray<C: Collection>(_ elements: C?, _ body: (inout ByteBuffer, C.Element) -> Void) {
        guard let elements else {
            writeKafkaCompactLength(nil)
            return
        }
        writeKafkaCompactArray(elements, body)
    }

    /// Writes a classic array of versioned structs.
    public mutating func writeKafkaArray<T: KafkaWireCodable>(_ elements: [T], version: Int16) {
        writeKafkaArray(elements) { buffer, element in element.encode(into: &buffer, version: version) }
    }

    /// Writes a nullable classic array of versioned structs.
    public mutating func writeKafkaNullableArray<T: KafkaWireCodable>(_ elements: [T]?, version: Int16) {
        writeKafkaNullableArray(elements) { buffer, element in element.encode(into: &buffer, version: version) }
    }

    /// Writes an array of int32.
    public mutating func writeKafkaInt32Array(_ elements: [Int32]) {
        writeKafkaArray(elements) { buffer, element in buffer.writeKafkaInt32(element) }
    }

    /// Writes an array of non-nullable strings.
    public mutating func writeKafkaStringArray(_ elements: [String]) {
        writeKafkaArray(elements) { buffer, element in buffer.writeKafkaString(element) }
    }
}
