import KafkaWire
import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to one broker: version negotiation at connect, then any number of
/// concurrent requests, each matched to its response by correlation id.
public final class BrokerConnection: Sendable {
    public let address: String
    private let channel: Channel
    private let clientId: String
    private let nextCorrelationId = Atomic<Int32>(1)
    /// The highest version of each API both sides speak.
    private let versions: [ApiKey: Int16]

    private init(address: String, channel: Channel, clientId: String, versions: [ApiKey: Int16]) {
        self.address = address
        self.channel = channel
        self.clientId = clientId
        self.versions = versions
    }

    public var isActive: Bool { channel.isActive }

    /// Connects and negotiates versions with ApiVersions (v3, falling back to v0 as KIP-511 describes).
    public static func connect(host: String, port: Int, clientId: String, timeout: Duration = .seconds(10),
                               group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws(BrokerClientError) -> BrokerConnection {
        let address = "\(host):\(port)"
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                // IPPROTO_TCP: `.socketOption(.tcp_nodelay)` is SOL_SOCKET option 1, SO_DEBUG, which needs CAP_NET_ADMIN
                // (refused as non-root in a container) and never set TCP_NODELAY.
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(KafkaFrameDecoder()),
                            KafkaClientHandler(address: address))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw .connectionFailed(address: address, reason: "\(error)")
        }
        let table: [ApiVersionsResponse.ApiVersion]
        do throws(BrokerClientError) {
            // Ask at v3 (KIP-511); a broker that does not serve it answers an error, and we ask again at the
            // version its answer allows (ApiVersionsAnswer), at most twice in all.
            var asked: Int16 = 3
            var answer = try await negotiate(channel: channel, address: address, clientId: clientId, version: asked, timeout: timeout)
            if let retry = ApiVersionsAnswer.retryVersion(after: answer, asked: asked) {
                asked = retry
                answer = try await negotiate(channel: channel, address: address, clientId: clientId, version: asked, timeout: timeout)
            }
            guard answer.errorCode == 0 else {
                throw BrokerClientError.broker(KafkaErrorCode(rawValue: answer.errorCode) ?? .unknownServerError,
                                               context: "ApiVersions v\(asked) at \(address)")
            }
            table = answer.apiKeys
        } catch {
            try? await channel.close()
            throw error
        }
        var versions: [ApiKey: Int16] = [:]
        for entry in table {
            guard let key = ApiKey(rawValue: entry.apiKey) else { continue }
            let ours = key.supportedVersions
            let top = min(entry.maxVersion, ours.upperBound)
            if top >= max(entry.minVersion, ours.lowerBound) { versions[key] = top }
        }
        return BrokerConnection(address: address, channel: channel, clientId: clientId, versions: versions)
    }

    /// One ApiVersions request at `version` on a connection not yet negotiated.
    private static func negotiate(channel: Channel, address: String, clientId: String, version: Int16,
                                  timeout: Duration) async throws(BrokerClientError) -> ApiVersionsResponse {
        let probe = BrokerConnection(address: address, channel: channel, clientId: clientId, versions: [.apiVersions: version])
        let request = version >= 3 ? ApiVersionsRequest(clientSoftwareName: "shop-broker-client", clientSoftwareVersion: "1.0")
                                   : ApiVersionsRequest()
        guard case .apiVersions(let response) = try await probe.send(.apiVersions(request), timeout: timeout) else {
            throw BrokerClientError.unsupportedApi(.apiVersions, address: address)
        }
        return response
    }

    public func version(of key: ApiKey) -> Int16? { versions[key] }

    /// Sends a request at the highest common version and waits for its response.
    public func send(_ request: KafkaRequest, timeout: Duration = .seconds(30)) async throws(BrokerClientError) -> KafkaResponse {
        let response = try start(request, timeout: timeout)
        do {
            return try await response.get()
        } catch let error as BrokerClientError {
            throw error
        } catch {
            throw .connectionFailed(address: address, reason: "\(error)")
        }
    }

    /// Writes a request now and returns its response to come, without waiting: requests started
    /// one after another from one task reach the broker in that order (a producer pipelining
    /// batches of one partition relies on it). The future fails with `BrokerClientError`
    /// (`connectionClosed`, `timedOut`, ...). `frameCapacity` sizes the frame buffer up front.
    public func start(_ request: KafkaRequest, timeout: Duration = .seconds(30),
                      frameCapacity: Int = 128) throws(BrokerClientError) -> EventLoopFuture<KafkaResponse> {
        let key = request.apiKey
        guard let version = versions[key] else { throw .unsupportedApi(key, address: address) }
        let promise = channel.eventLoop.makePromise(of: KafkaResponse.self)
        let correlationId = nextCorrelationId.add(1, ordering: .relaxed).oldValue
        var frame = channel.allocator.buffer(capacity: max(128, frameCapacity))
        KafkaFrame.writeFrame(into: &frame) { body in
            RequestHeader(apiKey: key, apiVersion: version, correlationId: correlationId, clientId: clientId).encode(into: &body)
            request.encode(into: &body, version: version)
        }
        let pending = PendingRequest(correlationId: correlationId, apiKey: key, version: version, frame: frame,
                                     promise: promise)
        // A write to a connection that just closed never reaches the handler: fail the request at once
        // instead of letting it wait for its timeout.
        let address = self.address
        channel.writeAndFlush(pending).whenFailure { _ in
            promise.fail(BrokerClientError.connectionClosed(address: address))
        }
        let scheduled = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(BrokerClientError.timedOut(operation: "\(key)", address: address))
        }
        promise.futureResult.whenComplete { _ in scheduled.cancel() }
        return promise.futureResult
    }

    /// Sends a request that gets no response (Produce with acks=0).
    public func sendWithoutResponse(_ request: KafkaRequest, frameCapacity: Int = 128) throws(BrokerClientError) {
        let key = request.apiKey
        guard let version = versions[key] else { throw .unsupportedApi(key, address: address) }
        var frame = channel.allocator.buffer(capacity: max(128, frameCapacity))
        let correlationId = nextCorrelationId.add(1, ordering: .relaxed).oldValue
        KafkaFrame.writeFrame(into: &frame) { body in
            RequestHeader(apiKey: key, apiVersion: version, correlationId: correlationId, clientId: clientId).encode(into: &body)
            request.encode(into: &body, version: version)
        }
        channel.writeAndFlush(PendingRequest(correlationId: correlationId, apiKey: key, version: version, frame: frame,
                                             promise: nil), promise: nil)
    }

    public func close() async {
        try? await channel.close()
    }
}
