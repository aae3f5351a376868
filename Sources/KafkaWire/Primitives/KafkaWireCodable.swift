import NIOCore

/// A value with a versioned Kafka wire form: every message and every nested struct of one.
/// Fields absent at `version` are skipped on encode and take their schema default on decode.
public protocol KafkaWireCodable: Sendable, Equatable {
    /// Decodes one value; any malformed input throws, nothing traps.
    static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self
    /// Encodes one value. `version` must be one the type supports; encoding never fails.
    func encode(into buffer: inout ByteBuffer, version: Int16)
}
