import Logging
import NIOCore

/// One client connection. Requests are handled one at a time, in arrival order, as Kafka's own
/// network layer does (it mutes a connection until its response is sent), with one exception: a
/// request whose effects are done and whose answer only waits for an fsync (an acks=all produce,
/// `RequestOutcome.deferred`) lets the next request start. Answers always leave in request order,
/// which kafka-python checks by correlation id.
final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = IOData

    private let processor: RequestProcessor
    private let info: ConnectionInfo
    private let logger: Logger
    private let onClose: @Sendable () -> Void
    private var pending = CircularBuffer<ByteBuffer>()
    /// Answers in request order; a deferred one (waiting for its fsync) holds back the later ones.
    private var answers = CircularBuffer<QueuedAnswer>()
    private var busy = false
    private var readHeld = false
    private var closed = false
    /// Frames read ahead of the one being processed before we stop reading from the socket.
    private static let maximumQueuedFrames = 16
    /// Deferred answers (acks=all produces waiting for their fsync) before the next request waits too.
    static let maximumDeferredAnswers = 64

    /// One answer to come, in request order: set when the request (or its deferred part) is done.
    private final class QueuedAnswer {
        var outcome: RequestOutcome?
        init(_ outcome: RequestOutcome?) { self.outcome = outcome }
    }

    init(processor: RequestProcessor, info: ConnectionInfo, logger: Logger, onClose: @escaping @Sendable () -> Void) {
        self.processor = processor
        self.info = info
        self.logger = logger
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        startNext(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if pending.count >= Self.maximumQueuedFrames {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        pending.removeAll()
        onClose()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !busy, pending.isEmpty, answers.isEmpty {
            logger.debug("closing idle connection", metadata: ["connection": "\(info.id)", "peer": "\(info.remoteAddress)"])
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("closing connection after error", metadata: [
            "connection": "\(info.id)", "peer": "\(info.remoteAddress)", "error": "\(error)",
        ])
        context.close(promise: nil)
    }

    private func startNext(context: ChannelHandlerContext) {
        guard !busy, !closed, answers.count < Self.maximumDeferredAnswers, let frame = pending.popFirst() else { return }
        busy = true
        if readHeld, pending.count < Self.maximumQueuedFrames {
            readHeld = false
            context.read()
        }
        let processor = self.processor
        let info = self.info
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let promise = context.eventLoop.makePromise(of: RequestOutcome.self)
        promise.completeWithTask { await processor.process(frame: frame, connection: info) }
        promise.futureResult.whenSuccess { outcome in
            let (handler, context) = bound.value
            handler.processed(outcome, context: context)
        }
    }

    private func processed(_ outcome: RequestOutcome, context: ChannelHandlerContext) {
        busy = false
        if case .deferred(let rest) = outcome {
            let slot = QueuedAnswer(nil)
            answers.append(slot)
            let bound = NIOLoopBound((handler: self, context: context, slot: slot), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: RequestOutcome.self)
            // Runs even if the connection closes meanwhile: the fsync wait is harmless, the answer is dropped.
            promise.completeWithTask { await rest() }
            promise.futureResult.whenSuccess { outcome in
                let (handler, context, slot) = bound.value
                slot.outcome = outcome
                handler.writeReadyAnswers(context: context)
                handler.startNext(context: context)
            }
        } else {
            answers.append(QueuedAnswer(outcome))
        }
        writeReadyAnswers(context: context)
        startNext(context: context)
    }

    /// Writes the answers at the head of the queue that are ready, in order, with one flush.
    private func writeReadyAnswers(context: ChannelHandlerContext) {
        guard !closed else {
            answers.removeAll()
            return
        }
        var wrote = false
        defer { if wrote { context.flush() } }
        while let head = answers.first, let outcome = head.outcome {
            answers.removeFirst()
            switch outcome {
            case .noResponse:
                continue
            case .deferred:
                // A deferred part answers with a final outcome; never nested.
                continue
            case .close(let reason):
                logger.info("closing connection", metadata: ["connection": "\(info.id)", "peer": "\(info.remoteAddress)", "reason": "\(reason)"])
                if wrote { context.flush() }
                wrote = false
                closed = true
                answers.removeAll()
                context.close(promise: nil)
                return
            case .respond(let payload):
                write(payload, context: context)
                wrote = true
            }
        }
    }

    private func write(_ payload: ResponsePayload, context: ChannelHandlerContext) {
        var size = context.channel.allocator.buffer(capacity: 4)
        size.writeInteger(Int32(truncatingIfNeeded: payload.byteCount))
        context.write(wrapOutboundOut(.byteBuffer(size)), promise: nil)
        for part in payload.parts {
            switch part {
            case .bytes(let bytes):
                context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
            case .file(let region):
                // sendfile straight from the segment. The handle borrows the segment's descriptor; the
                // region (and so the SegmentFile) stays alive until the write is done, then we hand the
                // descriptor back without closing it.
                let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: region.file.descriptor)
                let fileRegion = NIOCore.FileRegion(fileHandle: handle, readerIndex: Int(region.position),
                                                    endIndex: Int(region.position) + region.length)
                let promise = context.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { _ in
                    withExtendedLifetime(region) { _ = try? handle.takeDescriptorOwnership() }
                }
                context.write(wrapOutboundOut(.fileRegion(fileRegion)), promise: promise)
            }
        }
    }
}
