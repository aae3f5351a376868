import KafkaWire
import NIOCore

/// Reads an ApiVersions response the way Kafka's own clients do: error code first, body second.
///
/// A broker asked for an ApiVersions version it does not serve answers error 35 (UNSUPPORTED_VERSION)
/// in a body of *its* choosing (KIP-511, KAFKA-3652): Kafka sends a v0 body; librdkafka's mock cluster
/// (2.16) sends a body that is neither a v0 nor a v3 one. A strict decode at the version we asked for
/// then fails before anyone looks at the error, and the connection is lost. So: when the error code is
/// 35, read it as v0 (whose table says which ApiVersions versions the broker does serve), then at the
/// requested version (other errors: the other way round), and failing both keep just the error code, so
/// that the caller asks again at v0.
enum ApiVersionsAnswer {
    static func decode(body: ByteBuffer, version: Int16) throws(KafkaWireError) -> ApiVersionsResponse {
        guard let errorCode = body.getInteger(at: body.readerIndex, as: Int16.self), errorCode != 0 else {
            // A success is read like any other answer (bytes after the known fields ignored).
            guard case .apiVersions(let answer) = try KafkaClientHandler.decode(.apiVersions, version, body) else {
                throw KafkaWireError(.unsupportedVersion(apiKey: ApiKey.apiVersions.rawValue, version: version), field: "body",
                                     offset: body.readerIndex)
            }
            return answer
        }
        // Error 35 comes with a v0 body from Kafka (KIP-511), so v0 is tried first: a v0 body can happen to
        // parse at v3 too, into nonsense.
        let order: [Int16] = errorCode == KafkaErrorCode.unsupportedVersion.rawValue ? [0, version] : [version, 0]
        for candidate in order {
            if let answer = try? strict(body, candidate) { return answer }
        }
        return ApiVersionsResponse(errorCode: errorCode, apiKeys: [])
    }

    /// The whole body at `version`, trailing bytes included in the check.
    private static func strict(_ body: ByteBuffer, _ version: Int16) throws(KafkaWireError) -> ApiVersionsResponse {
        guard case .apiVersions(let response) = try KafkaResponse.decode(apiKey: .apiVersions, version: version, body: body) else {
            throw KafkaWireError(.unsupportedVersion(apiKey: ApiKey.apiVersions.rawValue, version: version), field: "body",
                                 offset: body.readerIndex)
        }
        return response
    }

    /// The version to ask again at after `response` refused `asked`, or nil when the error is not
    /// one a lower version can cure. Kafka's client retries at the highest ApiVersions version the
    /// broker advertised; librdkafka retries at v0 when no table came back, and also on
    /// INVALID_REQUEST (a v3 request whose client software name the broker rejects).
    static func retryVersion(after response: ApiVersionsResponse, asked: Int16) -> Int16? {
        guard asked > 0 else { return nil }
        switch KafkaErrorCode(rawValue: response.errorCode) {
        case .unsupportedVersion:
            if let theirs = response.apiKeys.first(where: { $0.apiKey == ApiKey.apiVersions.rawValue }),
               theirs.maxVersion >= 0, theirs.maxVersion < asked {
                return theirs.maxVersion
            }
            return 0
        case .invalidRequest:
            return 0
        default:
            return nil
        }
    }
}
