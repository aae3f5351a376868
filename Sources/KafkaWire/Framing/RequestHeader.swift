import NIOCore

/// Kafka request header. v1: api_key, api_version, correlation_id, client_id (nullable int16
/// string). v2 (flexible requests; here only ApiVersions v3+) adds a tagged-field section.
/// The v1 prefix is the same in v2, so the correlation id can always be recovered.
public struct RequestHeader: Sendable, Equatable {
    /// Raw key, kept even when unknown so the broker can log it.
    public var rawApiKey: Int16
    public var apiVersion: Int16
    public var correlationId: Int32
    public var clientId: String?
    /// Header v2 tagged fields (kept raw).
    public var taggedFields: [KafkaTaggedField]

    public init(apiKey: ApiKey, apiVersion: Int16, correlationId: Int32, clientId: String?, taggedFields: [KafkaTaggedField] = []) {
        self.init(rawApiKey: apiKey.rawValue, apiVersion: apiVersion, correlationId: correlationId, clientId: clientId, taggedFields: taggedFields)
    }

    public init(rawApiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String?, taggedFields: [KafkaTaggedField] = []) {
        self.rawApiKey = rawApiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
        self.taggedFields = taggedFields
    }

    /// The API, or nil for a key this module does not know.
    public var apiKey: ApiKey? { ApiKey(rawValue: rawApiKey) }

    /// The header version this request uses (2 if flexible, else 1; unknown keys: 1).
    public var headerVersion: Int16 {
        Self.headerVersion(rawApiKey: rawApiKey, apiVersion: apiVersion)
    }

    /// The request header version for an API key and version (unknown keys: 1).
    public static func headerVersion(rawApiKey: Int16, apiVersion: Int16) -> Int16 {
        ApiKey(rawValue: rawApiKey)?.requestHeaderVersion(for: apiVersion) ?? 1
    }

    /// Decodes a header, choosing v1 or v2 from the api key and version it contains.
    public static func decode(from buffer: inout ByteBuffer) throws(KafkaWireError) -> RequestHeader {
        guard let rawKey = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int16.self),
              let version = buffer.getInteger(at: buffer.readerIndex + 2, endianness: .big, as: Int16.self) else {
            throw KafkaWireError(.truncated(needed: 4, available: buffer.readableBytes), field: "request_header", offset: buffer.readerIndex)
        }
        return try decode(from: &buffer, headerVersion: headerVersion(rawApiKey: rawKey, apiVersion: version))
    }

    /// Decodes a header of an explicit version (0, 1 or 2).
    public static func decode(from b: inout ByteBuffer, headerVersion: Int16) throws(KafkaWireError) -> RequestHeader {
        guard (0...2).contains(headerVersion) else {
            throw KafkaWireError(.unsupportedHeaderVersion(headerVersion), field: "request_header", offset: b.readerIndex)
        }
        var h = RequestHeader(rawApiKey: try b.readKafkaInt16("request_api_key"),
                              apiVersion: try b.readKafkaInt16("request_api_version"),
                              correlationId: try b.readKafkaInt32("correlation_id"),
                              clientId: nil)
        // client_id stays a classic int16 string even in v2.
        if headerVersion >= 1 { h.clientId = try b.readKafkaNullableString("client_id") }
        if headerVersion >= 2 { h.taggedFields = try b.readKafkaTaggedFields("header_tagged_fields") }
        return h
    }

    /// Encodes with the header version implied by the api key and version.
    public func encode(into buffer: inout ByteBuffer) {
        encode(into: &buffer, headerVersion: headerVersion)
    }

    /// Encodes with an explicit header version (0, 1 or 2).
    public func encode(into b: inout ByteBuffer, headerVersion: Int16) {
        assert((0...2).contains(headerVersion), "request header v\(headerVersion) does not exist")
        b.writeKafkaInt16(rawApiKey)
        b.writeKafkaInt16(apiVersion)
        b.writeKafkaInt32(correlationId)
        if headerVersion >= 1 { b.writeKafkaNullableString(clientId) }
        if headerVersion >= 2 { b.writeKafkaTaggedFields(taggedFields) }
    }
}

/// Kafka response header. v0: correlation_id. v1 (flexible responses) adds tagged fields,
/// but ApiVersions responses always use v0 (see `ApiKey.responseHeaderVersion(for:)`).
public struct ResponseHeader: Sendable, Equatable {
    public var correlationId: Int32
    /// v1 tagged fields (kept raw).
    public var taggedFields: [KafkaTaggedField]

    public init(correlationId: Int32, taggedFields: [KafkaTaggedField] = []) {
        self.correlationId = correlationId
        self.taggedFields = taggedFields
    }

    /// Decodes a header of an explicit version (0 or 1).
    public static func decode(from b: inout ByteBuffer, headerVersion: Int16) throws(KafkaWireError) -> ResponseHeader {
        guard (0...1).contains(headerVersion) else {
            throw KafkaWireError(.unsupportedHeaderVersion(headerVersion), field: "response_header", offset: b.readerIndex)
        }
        var h = ResponseHeader(correlationId: try b.readKafkaInt32("correlation_id"))
        if headerVersion >= 1 { h.taggedFields = try b.readKafkaTaggedFields("header_tagged_fields") }
        return h
    }

    /// Encodes with an explicit header version (0 or 1).
    public func encode(into b: inout ByteBuffer, headerVersion: Int16) {
        assert((0...1).contains(headerVersion), "response header v\(headerVersion) does not exist")
        b.writeKafkaInt32(correlationId)
        if headerVersion >= 1 { b.writeKafkaTaggedFields(taggedFields) }
    }
}
