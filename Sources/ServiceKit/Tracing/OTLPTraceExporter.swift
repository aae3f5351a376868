import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Sends finished spans to an OpenTelemetry collector over OTLP/HTTP with JSON bodies (`POST …/v1/traces`),
/// in batches: a span is queued without waiting; the exporter wakes when the first span of a batch arrives,
/// waits `scheduleDelay` for more (or until `maxBatch` are queued), and posts them. Nothing queued, nothing
/// runs, so an idle service spends no CPU on tracing. A full queue drops new spans (counted) rather than
/// grow or slow the request that made them; a failed post drops its batch (logged once per outage).
public final class OTLPTraceExporter: Service, Sendable {
    public struct Settings: Sendable {
        /// The full traces URL (`…/v1/traces`).
        public var url: String
        /// `service.name` of every span.
        public var serviceName: String
        public var scheduleDelay: Duration = .milliseconds(500)
        public var maxBatch = 512
        public var maxQueue = 8192
        public var timeout: Duration = .seconds(5)

        public init(url: String, serviceName: String) {
            self.url = url
            self.serviceName = serviceName
        }
    }

    public let settings: Settings
    private let logger: Logger
    private let client: HTTPClient
    private let queue = Mutex<Queue>(Queue())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    struct Queue {
        var spans: [FinishedSpan] = []
        var dropped = 0
        var exported = 0
        var failing = false
    }

    public init(settings: Settings, logger: Logger, client: HTTPClient = .shared) {
        self.settings = settings
        self.logger = logger
        self.client = client
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Spans sent, and spans dropped because the queue was full.
    public var counts: (exported: Int, dropped: Int) { queue.withLock { ($0.exported, $0.dropped) } }

    func record(_ span: FinishedSpan) {
        let signal: Bool = queue.withLock { queue in
            guard queue.spans.count < settings.maxQueue else {
                queue.dropped += 1
                return false
            }
            queue.spans.append(span)
            return queue.spans.count == 1 || queue.spans.count == settings.maxBatch
        }
        if signal { wake.yield() }
    }

    public func run() async throws {
        // A graceful shutdown ends the wake-ups rather than cancelling the task: a cancelled task's post would
        // fail, and the batch it had taken would be lost.
        await withGracefulShutdownHandler {
            for await _ in self.wakes {
                if self.queue.withLock({ $0.spans.count }) < self.settings.maxBatch {
                    try? await Task.sleep(for: self.settings.scheduleDelay)
                }
                await self.exportQueued()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        // What the last requests of a stopping service traced.
        await exportQueued()
    }

    /// Posts everything queued now, in batches.
    public func exportQueued() async {
        while true {
            let batch: [FinishedSpan] = queue.withLock { queue in
                let count = min(queue.spans.count, settings.maxBatch)
                defer { queue.spans.removeFirst(count) }
                return Array(queue.spans.prefix(count))
            }
            if batch.isEmpty { return }
            await post(batch)
        }
    }

    private func post(_ batch: [FinishedSpan]) async {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        do {
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(OTLPJSON.request(batch, serviceName: settings.serviceName))))
            let response = try await client.execute(request, timeout: .nanoseconds(ServiceHTTPClient.nanoseconds(settings.timeout)))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else {
                throw ExportFailed(reason: "HTTP \(response.status.code)")
            }
            let recovered = queue.withLock { queue in
                queue.exported += batch.count
                defer { queue.failing = false }
                return queue.failing
            }
            if recovered { logger.notice("trace export recovered", metadata: ["url": "\(settings.url)"]) }
        } catch {
            let first = queue.withLock { queue in
                defer { queue.failing = true }
                return !queue.failing
            }
            if first {
                logger.warning("trace export failed; spans are dropped until the collector answers",
                               metadata: ["url": "\(settings.url)", "spans": "\(batch.count)", "error": "\(error)"])
            }
        }
    }

    private struct ExportFailed: Error, CustomStringConvertible {
        var reason: String
        var description: String { "the collector answered \(reason)" }
    }
}

/// The OTLP/HTTP JSON body (opentelemetry-proto's `ExportTraceServiceRequest` in its JSON mapping, with the
/// ids as hex and 64-bit integers as decimal strings, as the OTLP specification writes them).
enum OTLPJSON {
    static func request(_ spans: [FinishedSpan], serviceName: String) -> ExportRequest {
        ExportRequest(resourceSpans: [ResourceSpans(
            resource: Resource(attributes: [KeyValue(key: "service.name", value: .init(.string(serviceName)))]),
            scopeSpans: [ScopeSpans(scope: Scope(name: "ServiceKit"), spans: spans.map(SpanJSON.init))])])
    }

    struct ExportRequest: Encodable { var resourceSpans: [ResourceSpans] }
    struct ResourceSpans: Encodable { var resource: Resource; var scopeSpans: [ScopeSpans] }
    struct Resource: Encodable { var attributes: [KeyValue] }
    struct Scope: Encodable { var name: String }
    struct ScopeSpans: Encodable { var scope: Scope; var spans: [SpanJSON] }
    struct KeyValue: Encodable { var key: String; var value: AnyValue }
    struct Status: Encodable { var code: Int; var message: String? }

    struct AnyValue: Encodable {
        var stringValue: String?
        var intValue: String?
        var boolValue: Bool?

        init(_ attribute: SpanAttribute) {
            switch attribute {
            case .string(let text): stringValue = text
            case .int(let number): intValue = String(number)
            case .bool(let flag): boolValue = flag
            }
        }
    }

    struct SpanJSON: Encodable {
        var traceId: String
        var spanId: String
        var parentSpanId: String?
        var name: String
        var kind: Int
        var startTimeUnixNano: String
        var endTimeUnixNano: String
        var attributes: [KeyValue]
        var status: Status

        init(_ span: FinishedSpan) {
            traceId = span.context.traceId
            spanId = span.context.spanId
            parentSpanId = span.parentSpanId
            name = span.name
            kind = span.kind.rawValue
            startTimeUnixNano = String(span.startNanos)
            endTimeUnixNano = String(span.endNanos)
            attributes = span.attributes.map { KeyValue(key: $0.0, value: AnyValue($0.1)) }
            // OTLP: 0 unset, 2 error.
            status = span.errorMessage.map { Status(code: 2, message: $0) } ?? Status(code: 0, message: nil)
        }
    }
}
