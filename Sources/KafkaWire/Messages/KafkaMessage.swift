import NIOCore

/// A top-level request or response body of one API.
public protocol KafkaMessage: KafkaWireCodable {
    /// The API this body belongs to.
    static var apiKey: ApiKey { get }
}

extension KafkaMessage {
    /// Throws `.unsupportedVersion` unless this module implements `version` of the API.
    public static func checkVersion(_ version: Int16) throws(KafkaWireError) {
        guard apiKey.supportedVersions.contains(version) else {
            throw KafkaWireError(
                .unsupportedVersion(apiKey: apiKey.rawValue, version: version),
                apiKey: apiKey.rawValue, apiVersion: version)
        }
    }

    /// Checks the version, runs `body`, and tags any error with this API and version.
    static func decodeMessage(
        _ buffer: inout ByteBuffer, _ version: Int16,
        _ body: (inout ByteBuffer) throws(KafkaWireError) -> Self
    ) throws(KafkaWireError) -> Self {
        try checkVersion(version)
        do {
            return try body(&buffer)
        } catch {
            throw error.adding(apiKey: apiKey.rawValue, apiVersion: version)
        }
    }

    /// Encoding an unsupported version is a programming error: caught in debug builds,
    /// and in release the fields are written by the nearest version rules.
    static func assertEncodable(_ version: Int16) {
        assert(apiKey.supportedVersions.contains(version), "\(apiKey) v\(version) is not supported")
    }
}

/// Decodes `type` from the whole of `body`; leftover bytes mean the layout was misread.
func decodeWholeKafkaMessage<M: KafkaMessage>(_ type: M.Type, body: ByteBuffer, version: Int16) throws(KafkaWireError) -> M {
    var buffer = body
    let message = try M.decode(from: &buffer, version: version)
    guard buffer.readableBytes == 0 else {
        throw KafkaWireError(.trailingBytes(buffer.readableBytes), apiKey: M.apiKey.rawValue, apiVersion: version, offset: buffer.readerIndex)
    }
    return message
}

extension ApiVersionsResponse {
    /// Decodes like Kafka's clients: if the body does not parse at `version`, retry as v0,
    /// because a broker answers an unsupported ApiVersions version with a v0 body (KIP-511).
    public static func decodeWithFallback(body: ByteBuffer, version: Int16) throws(KafkaWireError) -> ApiVersionsResponse {
        do {
            return try decodeWholeKafkaMessage(ApiVersionsResponse.self, body: body, version: version)
        } catch {
            guard version != 0 else { throw error }
            do {
                return try decodeWholeKafkaMessage(ApiVersionsResponse.self, body: body, version: 0)
            } catch _ {
                throw error  // report the failure at the requested version
            }
        }
    }
}
