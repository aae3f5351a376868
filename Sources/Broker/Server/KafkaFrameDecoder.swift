import NIOCore

/// Splits the byte stream into Kafka frames: a big-endian int32 size, then that many bytes.
/// A negative or oversized length closes the connection (by throwing) before anything is buffered.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct FrameTooLarge: Error, CustomStringConvertible {
        var size: Int32
        var limit: Int
        var description: String { "frame of \(size) bytes exceeds the limit of \(limit) bytes" }
    }

    let maximumFrameBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0, Int(size) <= maximumFrameBytes else { throw FrameTooLarge(size: size, limit: maximumFrameBytes) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: Int(size)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A truncated frame at EOF is dropped: the peer is gone and nothing can answer it.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
