import NIOCore

// DeleteTopics (key 20), v0–v3 (all non-flexible, same request layout). Optional admin API:
// implemented but not advertised (see ApiKey.advertisedVersions).

/// DeleteTopics request.
public struct DeleteTopicsRequest: KafkaMessage {
    public static let apiKey = ApiKey.deleteTopics

    public var topicNames: [String]
    public var timeoutMs: Int32

    public init(topicNames: [String], timeoutMs: Int32) {
        self.topicNames = topicNames
        self.timeoutMs = timeoutMs
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            DeleteTopicsRequest(topicNames: try b.readKafkaStringArray("topic_names"), timeoutMs: try b.readKafkaInt32("timeout_ms"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaStringArray(topicNames)
        buffer.writeKafkaInt32(timeoutMs)
    }
}

/// DeleteTopics response.
public struct DeleteTopicsResponse: KafkaMessage {
    public static let apiKey = ApiKey.deleteTopics

    public struct Result: KafkaWireCodable {
        public var name: String
        public var errorCode: Int16

        public init(name: String, errorCode: Int16 = 0) {
            self.name = name
            self.errorCode = errorCode
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Result(name: try b.readKafkaString("name"), errorCode: try b.readKafkaInt16("error_code"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaInt16(errorCode)
        }
    }

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var responses: [Result]

    public init(throttleTimeMs: Int32 = 0, responses: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return DeleteTopicsResponse(throttleTimeMs: throttle, responses: try b.readKafkaArray(of: Result.self, version: version, "responses"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(responses, version: version)
    }
}
