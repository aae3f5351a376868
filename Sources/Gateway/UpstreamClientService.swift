import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// The gateway's own HTTP client for upstream calls: redirects and decompression off (answers pass
/// through as the upstream sent them), short connect timeout, a connection pool sized for bursts
/// (`GATEWAY_UPSTREAM_CONNECTIONS`). Shut down when the service group stops.
struct UpstreamClientService: Service {
    let client: HTTPClient

    init(connectTimeout: TimeAmount, idleReadTimeout: TimeAmount, connectionsPerInstance: Int) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: idleReadTimeout),
            decompression: .disabled
        )
        configuration.connectionPool.idleTimeout = .seconds(30)
        // AsyncHTTPClient's default is 8; a request queued behind them fails at the connect deadline (1 s), so a
        // burst of 50 checkouts through the gateway answered 502 while the order service was healthy.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerInstance
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func run() async throws {
        // Cancellation (the server failed to start) ends the wait as well; shut down either way.
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
