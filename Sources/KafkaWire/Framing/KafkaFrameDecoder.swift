import NIOCore

/// Splits a byte stream into Kafka frames: a big-endian int32 size, then that many bytes. Used by
/// the broker's and the client's channel pipelines; it does no I/O itself. A negative or oversized
/// length throws (so the pipeline closes the connection) before anything is buffered.
public struct KafkaFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public struct FrameTooLarge: Error, CustomStringConvertible {
        public var size: Int32
        public var limit: Int
        public var description: String { "frame of \(size) bytes exceeds the limit of \(limit) bytes" }
    }

    public let maximumFrameBytes: Int

    public init(maximumFrameBytes: Int = KafkaFrame.defaultMaxFrameSize) { self.maximumFrameBytes = maximumFrameBytes }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0, Int(size) <= maximumFrameBytes else { throw FrameTooLarge(size: size, limit: maximumFrameBytes) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: Int(size)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A truncated frame at EOF is dropped: the peer is gone and nothing can answer it.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
