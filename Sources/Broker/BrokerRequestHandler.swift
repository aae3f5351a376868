import KafkaWire
import Logging
import LogStore
import NIOCore
import Synchronization

/// Decodes a request frame, dispatches it to the handler of its API (one file per API under
/// Handlers/), and encodes the answer with the right response header.
final class BrokerRequestHandler: RequestProcessor {
    let config: BrokerConfig
    let topics: TopicRegistry
    let groups: GroupCoordinator
    let offsets: OffsetStore
    let producerIds: ProducerIdAllocator
    let appendSignal: AppendSignal
    let metrics: BrokerMetrics
    let logger: Logger
    let allocator = ByteBufferAllocator()
    /// Requests being handled now, and whether shutdown has begun (new requests are then refused).
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)

    /// Refuses new requests and waits (at most `timeout`) for those in flight to be answered.
    func drain(timeout: Duration) async {
        draining.store(true, ordering: .sequentiallyConsistent)
        let deadline = ContinuousClock.now + timeout
        while inFlight.load(ordering: .sequentiallyConsistent) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    init(config: BrokerConfig, topics: TopicRegistry, groups: GroupCoordinator, offsets: OffsetStore,
         producerIds: ProducerIdAllocator, appendSignal: AppendSignal, metrics: BrokerMetrics, logger: Logger) {
        self.config = config
        self.topics = topics
        self.groups = groups
        self.offsets = offsets
        self.producerIds = producerIds
        self.appendSignal = appendSignal
        self.metrics = metrics
        self.logger = logger
    }

    /// What a handler answers: a message, a message whose record bytes are file regions (Fetch),
    /// nothing, or an answer that comes once something slow is done (an acks=all produce's fsync).
    enum Answer: Sendable {
        case message(KafkaResponse)
        case parts(ResponsePayload)
        case none
        case later(@Sendable () async -> Answer)
    }

    func process(frame: ByteBuffer, connection: ConnectionInfo) async -> RequestOutcome {
        inFlight.add(1, ordering: .sequentiallyConsistent)
        defer { inFlight.subtract(1, ordering: .sequentiallyConsistent) }
        if draining.load(ordering: .sequentiallyConsistent) { return .close(reason: "broker is shutting down") }
        var body = frame
        let header: RequestHeader
        do {
            header = try RequestHeader.decode(from: &body)
        } catch {
            return .close(reason: "malformed request header: \(error)")
        }
        let version = header.apiVersion
        guard let key = header.apiKey else {
            return .close(reason: "unknown api key \(header.rawApiKey)")
        }
        // KIP-511: an ApiVersions version we do not know is answered at v0 with error 35 and our table,
        // so the client can retry with one we do.
        if key == .apiVersions, !(key.advertisedVersions?.contains(version) ?? false) {
            logger.debug("ApiVersions version not supported: answering v0 with UNSUPPORTED_VERSION",
                         metadata: ["version": "\(version)", "client": "\(header.clientId ?? "")"])
            let response = ApiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion.rawValue, apiKeys: ApiKey.advertised)
            return .respond(encode(.apiVersions(response), correlationId: header.correlationId, key: key, version: 0))
        }
        guard let advertised = key.advertisedVersions, advertised.contains(version) else {
            return .close(reason: "\(key) v\(version) is not supported")
        }
        let request: KafkaRequest
        do {
            request = try KafkaRequest.decode(header: header, body: body)
        } catch {
            return .close(reason: "malformed \(key) v\(version) request: \(error)")
        }
        logger.trace("request", metadata: ["api": "\(key)", "version": "\(version)", "client": "\(header.clientId ?? "")",
                                           "connection": "\(connection.id)"])
        let context = RequestContext(header: header, connection: connection)
        let started = ContinuousClock.now
        let answer = await handle(request, context)
        if case .later(let rest) = answer {
            // Still in flight for drain() until its answer is encoded.
            inFlight.add(1, ordering: .sequentiallyConsistent)
            return .deferred { [self] in
                defer { inFlight.subtract(1, ordering: .sequentiallyConsistent) }
                return outcome(of: await rest(), header: header, key: key, started: started)
            }
        }
        return outcome(of: answer, header: header, key: key, started: started)
    }

    /// Records the request's metrics and encodes its answer.
    private func outcome(of answer: Answer, header: RequestHeader, key: ApiKey, started: ContinuousClock.Instant) -> RequestOutcome {
        let version = header.apiVersion
        let failed: Bool
        switch answer {
        case .message(let response): failed = Self.hasError(response)
        case .parts(let payload): failed = payload.failed
        case .none, .later: failed = false
        }
        metrics.recordRequest(key, duration: ContinuousClock.now - started, failed: failed)
        switch answer {
        case .none, .later:
            return .noResponse
        case .message(let response):
            return .respond(encode(response, correlationId: header.correlationId, key: key, version: version))
        case .parts(let payload):
            var headerBytes = allocator.buffer(capacity: 8)
            ResponseHeader(correlationId: header.correlationId)
                .encode(into: &headerBytes, headerVersion: key.responseHeaderVersion(for: version))
            return .respond(ResponsePayload(parts: [.bytes(headerBytes)] + payload.parts))
        }
    }

    struct RequestContext {
        var header: RequestHeader
        var connection: ConnectionInfo
        var version: Int16 { header.apiVersion }
        var clientId: String { header.clientId ?? "" }
    }

    private func handle(_ request: KafkaRequest, _ context: RequestContext) async -> Answer {
        switch request {
        case .apiVersions(let r): .message(.apiVersions(apiVersions(r, context)))
        case .metadata(let r): .message(.metadata(metadata(r, context)))
        case .createTopics(let r): .message(.createTopics(createTopics(r, context)))
        case .deleteTopics(let r): .message(.deleteTopics(await deleteTopics(r, context)))
        case .initProducerId(let r): .message(.initProducerId(initProducerId(r, context)))
        case .produce(let r): await produce(r, context)
        case .fetch(let r): await fetch(r, context)
        case .listOffsets(let r): .message(.listOffsets(listOffsets(r, context)))
        case .findCoordinator(let r): .message(.findCoordinator(findCoordinator(r, context)))
        case .joinGroup(let r): .message(.joinGroup(await joinGroup(r, context)))
        case .syncGroup(let r): .message(.syncGroup(await syncGroup(r, context)))
        case .heartbeat(let r): .message(.heartbeat(await heartbeat(r, context)))
        case .leaveGroup(let r): .message(.leaveGroup(await leaveGroup(r, context)))
        case .offsetCommit(let r): .message(.offsetCommit(await offsetCommit(r, context)))
        case .offsetFetch(let r): .message(.offsetFetch(offsetFetch(r, context)))
        case .describeGroups(let r): .message(.describeGroups(await describeGroups(r, context)))
        case .listGroups(let r): .message(.listGroups(await listGroups(r, context)))
        }
    }

    /// Whether any error code in the answer is set (for the request error metric).
    static func hasError(_ response: KafkaResponse) -> Bool {
        switch response {
        case .produce(let r): r.topics.contains { $0.partitions.contains { $0.errorCode != 0 } }
        case .listOffsets(let r): r.topics.contains { $0.partitions.contains { $0.errorCode != 0 } }
        case .metadata(let r): r.topics.contains { $0.errorCode != 0 }
        case .offsetCommit(let r): r.topics.contains { $0.partitions.contains { $0.errorCode != 0 } }
        case .offsetFetch(let r): r.errorCode != 0
        case .findCoordinator(let r): r.errorCode != 0
        case .joinGroup(let r): r.errorCode != 0 && r.errorCode != KafkaErrorCode.memberIdRequired.rawValue
        case .heartbeat(let r): r.errorCode != 0
        case .leaveGroup(let r): r.errorCode != 0 || r.members.contains { $0.errorCode != 0 }
        case .syncGroup(let r): r.errorCode != 0
        case .apiVersions(let r): r.errorCode != 0
        case .createTopics(let r): r.topics.contains { $0.errorCode != 0 }
        case .deleteTopics(let r): r.responses.contains { $0.errorCode != 0 }
        case .initProducerId(let r): r.errorCode != 0
        case .fetch, .describeGroups, .listGroups: false
        }
    }

    private func encode(_ response: KafkaResponse, correlationId: Int32, key: ApiKey, version: Int16) -> ResponsePayload {
        var buffer = allocator.buffer(capacity: 256)
        ResponseHeader(correlationId: correlationId).encode(into: &buffer, headerVersion: key.responseHeaderVersion(for: version))
        response.encode(into: &buffer, version: version)
        return ResponsePayload(buffer)
    }
}
