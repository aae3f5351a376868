import NIOCore

// FindCoordinator (key 10), v0–v2.

/// FindCoordinator request.
public struct FindCoordinatorRequest: KafkaMessage {
    public static let apiKey = ApiKey.findCoordinator

    /// The group id (or transactional id when keyType is 1).
    public var key: String
    /// v1+: 0 group, 1 transaction; default 0.
    public var keyType: Int8

    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let key = try b.readKafkaString("key")
            return FindCoordinatorRequest(key: key, keyType: version >= 1 ? try b.readKafkaInt8("key_type") : 0)
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(key)
        if version >= 1 { buffer.writeKafkaInt8(keyType) }
    }
}

/// FindCoordinator response.
public struct FindCoordinatorResponse: KafkaMessage {
    public static let apiKey = ApiKey.findCoordinator

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// v1+; default nil.
    public var errorMessage: String?
    public var nodeId: Int32
    public var host: String
    public var port: Int32

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, errorMessage: String? = nil, nodeId: Int32, host: String, port: Int32) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.nodeId = nodeId
        self.host = host
        self.port = port
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            let errorCode = try b.readKafkaInt16("error_code")
            let message = version >= 1 ? try b.readKafkaNullableString("error_message") : nil
            return FindCoordinatorResponse(throttleTimeMs: throttle, errorCode: errorCode, errorMessage: message,
                                           nodeId: try b.readKafkaInt32("node_id"), host: try b.readKafkaString("host"),
                                           port: try b.readKafkaInt32("port"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
        if version >= 1 { buffer.writeKafkaNullableString(errorMessage) }
        buffer.writeKafkaInt32(nodeId)
        buffer.writeKafkaString(host)
        buffer.writeKafkaInt32(port)
    }
}
