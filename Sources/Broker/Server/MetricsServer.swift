import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiny HTTP/1.1 endpoint: GET /metrics in the Prometheus text format, 404 for anything else.
final class MetricsServer: Sendable {
    private let channel: Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: Channel) { self.channel = channel }

    static func start(host: String, port: Int, render: @escaping @Sendable () async -> String,
                      group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> MetricsServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(render: render))
                }
            }
        return MetricsServer(channel: try await bootstrap.bind(host: host, port: port).get())
    }

    func close() async { try? await channel.close() }
}

private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () async -> String
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () async -> String) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            guard head.method == .GET, head.uri == "/metrics" || head.uri.hasPrefix("/metrics?") else {
                respond(context: context, status: .notFound, body: "not found: try GET /metrics\n", keepAlive: keepAlive)
                return
            }
            let render = self.render
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: String.self)
            promise.completeWithTask { await render() }
            promise.futureResult.whenSuccess { text in
                bound.value.handler.respond(context: bound.value.context, status: .ok, body: text, keepAlive: keepAlive)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, body: String, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4" : "text/plain")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
