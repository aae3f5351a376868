import NIOCore

// ApiVersions (key 18), v0–v3. v3 is the only flexible version in this module: compact
// strings/arrays and tagged fields. Its response header is always v0 (see ApiKey).

/// ApiVersions request. v0–v2 have an empty body.
public struct ApiVersionsRequest: KafkaMessage {
    public static let apiKey = ApiKey.apiVersions

    /// v3+ (KIP-511); "" when absent.
    public var clientSoftwareName: String
    /// v3+; "" when absent.
    public var clientSoftwareVersion: String
    /// v3+ unknown tagged fields, kept raw.
    public var taggedFields: [KafkaTaggedField]

    public init(clientSoftwareName: String = "", clientSoftwareVersion: String = "", taggedFields: [KafkaTaggedField] = []) {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
        self.taggedFields = taggedFields
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = ApiVersionsRequest()
            if version >= 3 {
                r.clientSoftwareName = try b.readKafkaCompactString("client_software_name")
                r.clientSoftwareVersion = try b.readKafkaCompactString("client_software_version")
                r.taggedFields = try b.readKafkaTaggedFields()
            }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 3 {
            buffer.writeKafkaCompactString(clientSoftwareName)
            buffer.writeKafkaCompactString(clientSoftwareVersion)
            buffer.writeKafkaTaggedFields(taggedFields)
        }
    }
}

/// ApiVersions response.
public struct ApiVersionsResponse: KafkaMessage {
    public static let apiKey = ApiKey.apiVersions

    /// One (api key, min, max) entry. The key stays raw so a client can list keys it does not know.
    public struct ApiVersion: KafkaWireCodable {
        public var apiKey: Int16
        public var minVersion: Int16
        public var maxVersion: Int16
        /// v3+ unknown tagged fields.
        public var taggedFields: [KafkaTaggedField]

        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16, taggedFields: [KafkaTaggedField] = []) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
            self.taggedFields = taggedFields
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var e = ApiVersion(
                apiKey: try b.readKafkaInt16("api_key"),
                minVersion: try b.readKafkaInt16("min_version"),
                maxVersion: try b.readKafkaInt16("max_version"))
            if version >= 3 { e.taggedFields = try b.readKafkaTaggedFields() }
            return e
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt16(apiKey)
            b.writeKafkaInt16(minVersion)
            b.writeKafkaInt16(maxVersion)
            if version >= 3 { b.writeKafkaTaggedFields(taggedFields) }
        }
    }

    public var errorCode: Int16
    public var apiKeys: [ApiVersion]
    /// v1+; 0 when absent.
    public var throttleTimeMs: Int32
    /// v3+ tagged fields (SupportedFeatures, FinalizedFeatures… kept raw; the broker sends none).
    public var taggedFields: [KafkaTaggedField]

    public init(errorCode: Int16 = 0, apiKeys: [ApiVersion], throttleTimeMs: Int32 = 0, taggedFields: [KafkaTaggedField] = []) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
        self.taggedFields = taggedFields
    }

    /// The broker's normal answer: error 0 and the advertised table.
    public static func advertised(throttleTimeMs: Int32 = 0) -> ApiVersionsResponse {
        ApiVersionsResponse(errorCode: 0, apiKeys: ApiKey.advertised, throttleTimeMs: throttleTimeMs)
    }

    /// The KIP-511 answer to an ApiVersions version above ours: error 35 with the full table.
    /// Encode it at version 0 (with response header v0) whatever version was requested.
    public static func unsupportedVersionFallback() -> ApiVersionsResponse {
        ApiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion.rawValue, apiKeys: ApiKey.advertised)
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let errorCode = try b.readKafkaInt16("error_code")
            var r = ApiVersionsResponse(errorCode: errorCode, apiKeys: [])
            if version >= 3 {
                r.apiKeys = try b.readKafkaCompactArray("api_keys", minElementSize: 7) { (b: inout ByteBuffer) throws(KafkaWireError) in
                    try ApiVersion.decode(from: &b, version: version)
                }
            } else {
                r.apiKeys = try b.readKafkaArray("api_keys", minElementSize: 6) { (b: inout ByteBuffer) throws(KafkaWireError) in
                    try ApiVersion.decode(from: &b, version: version)
                }
            }
            if version >= 1 { r.throttleTimeMs = try b.readKafkaInt32("throttle_time_ms") }
            if version >= 3 { r.taggedFields = try b.readKafkaTaggedFields() }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaInt16(errorCode)
        if version >= 3 {
            buffer.writeKafkaCompactArray(apiKeys) { b, e in e.encode(into: &b, version: version) }
        } else {
            buffer.writeKafkaArray(apiKeys, version: version)
        }
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        if version >= 3 { buffer.writeKafkaTaggedFields(taggedFields) }
    }
}
