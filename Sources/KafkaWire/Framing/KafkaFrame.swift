import NIOCore

/// Size-prefixed framing: every request and response is an int32 size then that many bytes.
/// Pure helpers: the caller owns the socket and its read buffer.
public enum KafkaFrame {
    /// Kafka's default `socket.request.max.bytes` (100 MiB).
    public static let defaultMaxFrameSize = 100 * 1024 * 1024

    /// Bytes of the size prefix.
    public static let sizePrefixLength = 4

    /// Validates a size prefix: negative sizes and sizes above `maxFrameSize` are rejected,
    /// before the caller buffers (or allocates for) the frame.
    public static func checkFrameSize(_ size: Int32, maxFrameSize: Int = defaultMaxFrameSize) throws(KafkaWireError) -> Int {
        guard size >= 0 else { throw KafkaWireError(.invalidFrameSize(size), field: "frame_size") }
        guard Int(size) <= maxFrameSize else {
            throw KafkaWireError(.frameTooLarge(size: Int(size), limit: maxFrameSize), field: "frame_size")
        }
        return Int(size)
    }

    /// Takes the next complete frame body off the front of `buffer`, or returns nil (leaving the
    /// buffer untouched) when more bytes are needed. The size is checked as soon as it is known.
    public static func readFrame(from buffer: inout ByteBuffer, maxFrameSize: Int = defaultMaxFrameSize) throws(KafkaWireError) -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else { return nil }
        let length: Int
        do {
            length = try checkFrameSize(size, maxFrameSize: maxFrameSize)
        } catch {
            var e = error
            e.offset = buffer.readerIndex
            throw e
        }
        guard let frame = buffer.getSlice(at: buffer.readerIndex + sizePrefixLength, length: length) else { return nil }
        buffer.moveReaderIndex(forwardBy: sizePrefixLength + length)
        return frame
    }

    /// Writes a frame: reserves the size prefix, lets `body` write, then fills the size in.
    public static func writeFrame(into buffer: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
        let sizeIndex = buffer.writerIndex
        buffer.writeKafkaInt32(0)
        let start = buffer.writerIndex
        body(&buffer)
        buffer.setInteger(Int32(buffer.writerIndex - start), at: sizeIndex, endianness: .big)
    }

    /// Encodes a whole request frame (size, header, body) at `header.apiVersion`.
    public static func encodeRequest(_ request: KafkaRequest, header: RequestHeader, into buffer: inout ByteBuffer) {
        assert(header.rawApiKey == request.apiKey.rawValue, "header key \(header.rawApiKey) does not match \(request.apiKey)")
        writeFrame(into: &buffer) { b in
            header.encode(into: &b)
            request.encode(into: &b, version: header.apiVersion)
        }
    }

    /// Encodes a whole response frame (size, header, body) at `version`, with the response
    /// header version that applies (always v0 for ApiVersions). The KIP-511 fallback is
    /// `.apiVersions(.unsupportedVersionFallback())` at version 0.
    public static func encodeResponse(_ response: KafkaResponse, correlationId: Int32, version: Int16, into buffer: inout ByteBuffer) {
        writeFrame(into: &buffer) { b in
            ResponseHeader(correlationId: correlationId)
                .encode(into: &b, headerVersion: response.apiKey.responseHeaderVersion(for: version))
            response.encode(into: &b, version: version)
        }
    }

    /// Decodes a request frame body (without the size prefix) into its header and request.
    /// A broker that needs the header even when the body fails (e.g. the ApiVersions
    /// fallback) should call `RequestHeader.decode` and `KafkaRequest.decode` itself.
    public static func decodeRequest(_ frame: ByteBuffer) throws(KafkaWireError) -> (header: RequestHeader, request: KafkaRequest) {
        var body = frame
        let header = try RequestHeader.decode(from: &body)
        return (header, try KafkaRequest.decode(header: header, body: body))
    }

    /// Decodes a response frame body (without the size prefix); the client knows the api key
    /// and version from the request with the same correlation id.
    public static func decodeResponse(_ frame: ByteBuffer, apiKey: ApiKey, version: Int16) throws(KafkaWireError) -> (header: ResponseHeader, response: KafkaResponse) {
        var body = frame
        let header = try ResponseHeader.decode(from: &body, headerVersion: apiKey.responseHeaderVersion(for: version))
        return (header, try KafkaResponse.decode(apiKey: apiKey, version: version, body: body))
    }
}
