import KafkaWire
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The TCP listener: one pipeline per connection (frame decoder → connection handler), with a
/// connection limit, an idle timeout and a maximum frame size.
public final class KafkaServer: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var maximumFrameBytes: Int = 100 * 1024 * 1024
        public var idleTimeout: TimeAmount = .minutes(10)
        public var maximumConnections: Int = 10_000
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    private let channel: Channel
    private let connections: Connections

    /// Counts open connections and hands out ids; shared by every child channel.
    final class Connections: Sendable {
        let open = Atomic<Int>(0)
        let nextId = Atomic<UInt64>(1)
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }
    public var openConnections: Int { connections.open.load(ordering: .relaxed) }

    private init(channel: Channel, connections: Connections) {
        self.channel = channel
        self.connections = connections
    }

    public static func start(settings: Settings, processor: RequestProcessor, logger: Logger,
                             group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KafkaServer {
        let connections = Connections()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // IPPROTO_TCP: `.socketOption(.tcp_nodelay)` is SOL_SOCKET option 1, SO_DEBUG, which needs CAP_NET_ADMIN
            // (refused as non-root in a container) and never set TCP_NODELAY.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                let count = connections.open.add(1, ordering: .relaxed).newValue
                let onClose: @Sendable () -> Void = { connections.open.subtract(1, ordering: .relaxed) }
                guard count <= settings.maximumConnections else {
                    logger.warning("connection limit reached; refusing", metadata: ["limit": "\(settings.maximumConnections)"])
                    onClose()
                    return channel.close()
                }
                let info = ConnectionInfo(id: connections.nextId.add(1, ordering: .relaxed).oldValue,
                                          remoteAddress: channel.remoteAddress?.description ?? "unknown")
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(allTimeout: settings.idleTimeout),
                        ByteToMessageHandler(KafkaFrameDecoder(maximumFrameBytes: settings.maximumFrameBytes)),
                        KafkaConnectionHandler(processor: processor, info: info, logger: logger, onClose: onClose))
                }
            }
        let channel = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        return KafkaServer(channel: channel, connections: connections)
    }

    /// Stops accepting connections; open ones finish their current request and close with the process.
    public func close() async {
        try? await channel.close()
    }
}
