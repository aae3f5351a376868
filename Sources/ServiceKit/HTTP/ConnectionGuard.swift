import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Sits in every service's HTTP/1 pipeline, after the parser, to keep three promises the router cannot:
///
/// - A client has `headDeadline` to send a request's line and headers, counted from when the connection
///   is ready for one (accepted, or its previous answer written), and `bodyDeadline` to send the body once
///   the headers are in. Otherwise the connection is closed: a client that trickles a byte now and then
///   never trips the idle timeout, but cannot hold a connection longer than these (slowloris).
///
/// - A request the parser refuses (a 100 KB URL, 2,000 headers, `Content-Length: -1` or together with
///   chunked encoding, …) is answered with the error envelope and the connection closed, instead of the
///   server's bare 400 with an empty body. Only between requests: once a request is being answered, a parse
///   error of a pipelined one is left to the server (one answer per request, in order).
/// - An answer that says `Connection: close` closes the connection once written (after `CONNECT`, say,
///   the parser would otherwise wait for tunnel bytes and the client would hang).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headDeadline: TimeAmount
    private let bodyDeadline: TimeAmount
    /// Requests whose answer has not been fully written.
    private var unanswered = 0
    private var closeAfterAnswer = false
    private var refused = false
    /// The deadline the client is working against now, if any (none while the service answers).
    private var deadline: Scheduled<Void>?

    init(headDeadline: TimeAmount, bodyDeadline: TimeAmount) {
        self.headDeadline = headDeadline
        self.bodyDeadline = bodyDeadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { expect(headDeadline, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        expect(headDeadline, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            expect(bodyDeadline, context: context)
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// Closes the connection unless the client gets on within `amount` (a later `expect` replaces it).
    private func expect(_ amount: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: amount) { channel.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            unanswered = max(0, unanswered - 1)
            if closeAfterAnswer, unanswered == 0 {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
                // Answered: the clock for the next request starts (a pipelined one already arrived).
                if unanswered == 0, deadline == nil { expect(headDeadline, context: context) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, unanswered == 0, !refused else {
            context.fireErrorCaught(error)
            return
        }
        refused = true
        let body = Self.envelope(for: parserError)
        let head = HTTPResponse(status: .badRequest, headerFields: [
            .contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    static func envelope(for error: HTTPParserError) -> ByteBuffer {
        let message: String
        switch error {
        case .headerOverflow: message = "The request line or headers are too large"
        case .invalidContentLength: message = "Content-Length is not a valid length"
        case .unexpectedContentLength: message = "Content-Length is not allowed here (or sent together with chunked encoding)"
        case .invalidMethod: message = "The request method is not valid"
        case .invalidURL: message = "The request target is not a valid URL"
        case .invalidVersion: message = "The HTTP version is not supported"
        default: message = "The request is not valid HTTP/1.1"
        }
        let envelope = Envelope<EmptyPayload>(status: "ERROR", code: 400, message: message, data: nil, errors: [])
        let data = (try? JSONBody.encoder.encode(envelope)) ?? Data(#"{"status":"ERROR","code":400,"message":"Bad request","errors":[]}"#.utf8)
        return ByteBuffer(bytes: data)
    }
}
