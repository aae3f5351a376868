import KafkaWire
import NIOCore

/// One outbound request and where its answer goes.
struct PendingRequest {
    var correlationId: Int32
    var apiKey: ApiKey
    var version: Int16
    var frame: ByteBuffer
    /// nil for requests that get no response (Produce with acks=0).
    var promise: EventLoopPromise<KafkaResponse>?
}

/// Matches response frames to outstanding requests by correlation id (the broker answers in order,
/// but matching by id also catches a misbehaving peer) and fails them all if the connection drops.
final class KafkaClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = ByteBuffer

    private var outstanding: [Int32: (ApiKey, Int16, EventLoopPromise<KafkaResponse>)] = [:]
    private let address: String

    init(address: String) { self.address = address }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let answer = request.promise {
            outstanding[request.correlationId] = (request.apiKey, request.version, answer)
        }
        context.write(wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        guard let correlationId = frame.getInteger(at: frame.readerIndex, as: Int32.self),
              let (key, version, promise) = outstanding.removeValue(forKey: correlationId)
        else {
            context.fireErrorCaught(BrokerClientError.malformedResponse(.apiVersions, KafkaWireError(
                .truncated(needed: 4, available: frame.readableBytes), field: "correlation_id", offset: frame.readerIndex)))
            return
        }
        do {
            _ = try ResponseHeader.decode(from: &frame, headerVersion: key.responseHeaderVersion(for: version))
            if key == .apiVersions {
                // The error code decides how the body is read (a refused version gets a body of the broker's choosing).
                promise.succeed(.apiVersions(try ApiVersionsAnswer.decode(body: frame, version: version)))
            } else {
                promise.succeed(try Self.decode(key, version, frame))
            }
        } catch {
            promise.fail(BrokerClientError.malformedResponse(key, error))
        }
    }

    /// Every field of the version is read; bytes after the last one are ignored, as Kafka's and
    /// librdkafka's clients ignore them (librdkafka 2.0.2's mock broker writes ListOffsets v4+ with four
    /// bytes too many). KafkaWire reports them as `trailingBytes`, which keeps our own codecs honest in
    /// their tests; here the answer is read again without them.
    static func decode(_ key: ApiKey, _ version: Int16, _ frame: ByteBuffer) throws(KafkaWireError) -> KafkaResponse {
        do {
            return try KafkaResponse.decode(apiKey: key, version: version, body: frame)
        } catch {
            if let errorOnly = ErrorOnlyAnswer.decode(key, version, frame) { return errorOnly }
            guard case .trailingBytes(let extra) = error.kind, extra > 0, extra <= frame.readableBytes else { throw error }
            var known = frame
            known.moveWriterIndex(to: frame.writerIndex - extra)
            return try KafkaResponse.decode(apiKey: key, version: version, body: known)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(BrokerClientError.connectionClosed(address: address))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: Error) {
        let pending = outstanding
        outstanding.removeAll()
        for (_, (_, _, promise)) in pending { promise.fail(error) }
    }
}
