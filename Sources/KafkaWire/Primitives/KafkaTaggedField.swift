import NIOCore

/// One raw tagged field of a flexible (KIP-482) version. Known tags are not interpreted here;
/// keeping them raw lets decoders skip unknown tags and round-trip them unchanged.
public struct KafkaTaggedField: Sendable, Equatable {
    public var tag: UInt32
    public var data: ByteBuffer

    public init(tag: UInt32, data: ByteBuffer) {
        self.tag = tag
        self.data = data
    }
}

extension ByteBuffer {
    /// Reads a tagged-field section: uvarint count, then (tag uvarint, size uvarint, bytes) each.
    public mutating func readKafkaTaggedFields(_ field: String = "tagged_fields") throws(KafkaWireError) -> [KafkaTaggedField] {
        let start = readerIndex
        let count = Int(try readKafkaUnsignedVarint(field))
        // Each field needs at least a tag byte and a size byte.
        if count > readableBytes / 2 {
            throw KafkaWireError(.countTooLarge(count: count, available: readableBytes), field: field, offset: start)
        }
        var fields: [KafkaTaggedField] = []
        fields.reserveCapacity(min(count, kafkaArrayInitialCapacityLimit))
        for _ in 0..<count {
            let fieldStart = readerIndex
            let tag = try readKafkaUnsignedVarint(field)
            let size = Int(try readKafkaUnsignedVarint(field))
            let data = try readKafkaSlice(length: size, field: field, start: fieldStart)
            fields.append(KafkaTaggedField(tag: tag, data: data))
        }
        return fields
    }

    /// Writes a tagged-field section; an empty list is the single byte 0x00.
    public mutating func writeKafkaTaggedFields(_ fields: [KafkaTaggedField]) {
        writeKafkaUnsignedVarint(UInt32(fields.count))
        for field in fields {
            writeKafkaUnsignedVarint(field.tag)
            writeKafkaUnsignedVarint(UInt32(field.data.readableBytes))
            writeImmutableBuffer(field.data)
        }
    }
}
