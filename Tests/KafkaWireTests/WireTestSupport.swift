import NIOCore
import Testing
@testable import KafkaWire

/// Chooses field values for one version: `full` samples set every field (even ones absent at
/// the version) to a non-default value; the expected sample keeps only fields present there.
struct WireSample {
    let version: Int16
    let full: Bool

    /// `value` if the field exists at this version (or in a full sample), else the default.
    func since<T>(_ first: Int16, _ value: T, _ defaultValue: T) -> T {
        full || version >= first ? value : defaultValue
    }

    /// Like `since` for a field that exists only in `range`.
    func within<T>(_ range: ClosedRange<Int16>, _ value: T, _ defaultValue: T) -> T {
        full || range.contains(version) ? value : defaultValue
    }
}

func wireBytes(_ values: [UInt8]) -> ByteBuffer {
    ByteBuffer(bytes: values)
}

func wireEncoded<M: KafkaWireCodable>(_ message: M, version: Int16) -> ByteBuffer {
    var buffer = ByteBuffer()
    message.encode(into: &buffer, version: version)
    return buffer
}

/// Encodes the full sample at each supported version, decodes it, and expects the
/// version-trimmed sample; also checks that the trimmed sample re-encodes to the same bytes.
func checkWireRoundTrip<M: KafkaMessage>(_ make: (WireSample) -> M, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for version in M.apiKey.supportedVersions {
        let full = make(WireSample(version: version, full: true))
        let expected = make(WireSample(version: version, full: false))
        let wire = wireEncoded(full, version: version)
        var reader = wire
        let decoded = try M.decode(from: &reader, version: version)
        #expect(reader.readableBytes == 0, "v\(version) left \(reader.readableBytes) bytes", sourceLocation: sourceLocation)
        #expect(decoded == expected, "v\(version)", sourceLocation: sourceLocation)
        #expect(wireEncoded(expected, version: version) == wire, "v\(version) re-encode differs", sourceLocation: sourceLocation)
        var again = wireEncoded(decoded, version: version)
        #expect(try M.decode(from: &again, version: version) == expected, "v\(version) second pass", sourceLocation: sourceLocation)
    }
}

/// Round trip of requests, also through RequestHeader + KafkaRequest.decode(header:body:).
func checkWireRequest<M: KafkaMessage>(_ wrap: (M) -> KafkaRequest, _ make: (WireSample) -> M, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try checkWireRoundTrip(make, sourceLocation: sourceLocation)
    for version in M.apiKey.supportedVersions {
        let request = wrap(make(WireSample(version: version, full: false)))
        let header = RequestHeader(apiKey: M.apiKey, apiVersion: version, correlationId: Int32(version) + 100, clientId: "client-\(version)")
        var frame = ByteBuffer()
        KafkaFrame.encodeRequest(request, header: header, into: &frame)
        let body = try #require(try KafkaFrame.readFrame(from: &frame), sourceLocation: sourceLocation)
        #expect(frame.readableBytes == 0, sourceLocation: sourceLocation)
        let (decodedHeader, decoded) = try KafkaFrame.decodeRequest(body)
        #expect(decodedHeader == header, "v\(version)", sourceLocation: sourceLocation)
        #expect(decoded == request, "v\(version)", sourceLocation: sourceLocation)
        #expect(decoded.apiKey == M.apiKey, sourceLocation: sourceLocation)
    }
}

/// Round trip of responses, also through KafkaFrame.encodeResponse + KafkaResponse.decode.
func checkWireResponse<M: KafkaMessage>(_ wrap: (M) -> KafkaResponse, _ make: (WireSample) -> M, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try checkWireRoundTrip(make, sourceLocation: sourceLocation)
    for version in M.apiKey.supportedVersions {
        let response = wrap(make(WireSample(version: version, full: false)))
        var frame = ByteBuffer()
        KafkaFrame.encodeResponse(response, correlationId: 77, version: version, into: &frame)
        let body = try #require(try KafkaFrame.readFrame(from: &frame), sourceLocation: sourceLocation)
        let (header, decoded) = try KafkaFrame.decodeResponse(body, apiKey: M.apiKey, version: version)
        #expect(header.correlationId == 77, sourceLocation: sourceLocation)
        #expect(decoded == response, "v\(version)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to throw a KafkaWireError and returns it for further checks.
func expectWireError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> KafkaWireError? {
    do {
        try body()
        Issue.record("expected a KafkaWireError", sourceLocation: sourceLocation)
        return nil
    } catch let error as KafkaWireError {
        return error
    } catch {
        Issue.record("expected a KafkaWireError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
