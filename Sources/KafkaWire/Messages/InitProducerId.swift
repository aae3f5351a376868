import NIOCore

// InitProducerId (key 22), v0–v1. Both versions have the same layout.

/// InitProducerId request.
public struct InitProducerIdRequest: KafkaMessage {
    public static let apiKey = ApiKey.initProducerId

    /// nil for idempotent (non-transactional) producers.
    public var transactionalId: String?
    /// -1 from librdkafka idempotent producers.
    public var transactionTimeoutMs: Int32

    public init(transactionalId: String? = nil, transactionTimeoutMs: Int32) {
        self.transactionalId = transactionalId
        self.transactionTimeoutMs = transactionTimeoutMs
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            InitProducerIdRequest(transactionalId: try b.readKafkaNullableString("transactional_id"),
                                  transactionTimeoutMs: try b.readKafkaInt32("transaction_timeout_ms"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaNullableString(transactionalId)
        buffer.writeKafkaInt32(transactionTimeoutMs)
    }
}

/// InitProducerId response.
public struct InitProducerIdResponse: KafkaMessage {
    public static let apiKey = ApiKey.initProducerId

    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var producerId: Int64
    public var producerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, producerId: Int64, producerEpoch: Int16) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            InitProducerIdResponse(throttleTimeMs: try b.readKafkaInt32("throttle_time_ms"),
                                   errorCode: try b.readKafkaInt16("error_code"),
                                   producerId: try b.readKafkaInt64("producer_id"),
                                   producerEpoch: try b.readKafkaInt16("producer_epoch"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        buffer.writeKafkaInt16(errorCode)
        buffer.writeKafkaInt64(producerId)
        buffer.writeKafkaInt16(producerEpoch)
    }
}
