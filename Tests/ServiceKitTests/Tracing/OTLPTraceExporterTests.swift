import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
@testable import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// The exporter against an HTTP endpoint that takes OTLP/JSON posts the way a collector does (200, or an
/// error status while it is "down"): batches bounded in size, everything queued sent on a graceful shutdown,
/// a full queue dropping, a failing collector costing no crash and no retry storm.
@Suite struct OTLPTraceExporterTests {
    final class Collector: Sendable {
        /// Spans per post received, and whether it answers 503 ("down").
        final class State: Sendable {
            let batches = Mutex<[Int]>([])
            let refusing = Atomic<Bool>(false)
        }

        let state = State()
        let server: LiveServer

        init() async throws {
            let state = state
            server = try await LiveServer("collector") { onRunning in
                let router = Router()
                router.post("/v1/traces") { request, _ -> Response in
                    let body = try await request.body.collect(upTo: 16 << 20)
                    if state.refusing.load(ordering: .relaxed) { return Response(status: .serviceUnavailable) }
                    let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
                    let resource = (json?["resourceSpans"] as? [[String: Any]])?.first
                    let spans = ((resource?["scopeSpans"] as? [[String: Any]])?.first?["spans"] as? [Any])?.count ?? -1
                    state.batches.withLock { $0.append(spans) }
                    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
                }
                return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onRunning)
            }
        }

        var received: Int { state.batches.withLock { $0.reduce(0, +) } }
        func refuse(_ refusing: Bool) { state.refusing.store(refusing, ordering: .relaxed) }
    }

    static func exporter(_ collector: Collector, maxBatch: Int = 100, maxQueue: Int = 8192) -> OTLPTraceExporter {
        var settings = OTLPTraceExporter.Settings(url: collector.server.baseURL + "/v1/traces", serviceName: "test")
        settings.scheduleDelay = .milliseconds(50)
        settings.maxBatch = maxBatch
        settings.maxQueue = maxQueue
        return OTLPTraceExporter(settings: settings, logger: Logger(label: "test-exporter"))
    }

    static func end(_ count: Int, on exporter: OTLPTraceExporter) {
        let trace = TraceParent.newTrace()
        for index in 0..<count {
            Span(name: "span \(index)", kind: .internal, context: trace.child(), parentSpanId: trace.spanId, exporter: exporter).end()
        }
    }

    static func running(_ exporter: OTLPTraceExporter) -> (ServiceGroup, Task<Void, any Error>) {
        let group = ServiceGroup(configuration: .init(services: [exporter], gracefulShutdownSignals: [], logger: Logger(label: "test")))
        return (group, Task { try await group.run() })
    }

    @Test func batchesAreBoundedAndAShutdownSendsWhatIsQueued() async throws {
        let collector = try await Collector()
        let exporter = Self.exporter(collector)
        let (group, task) = Self.running(exporter)
        Self.end(250, on: exporter)
        try await eventually("250 spans at the collector", timeout: .seconds(60)) { collector.received == 250 }
        #expect(collector.state.batches.withLock { $0 }.allSatisfy { $0 > 0 && $0 <= 100 })
        // Ended just before the service stops: still sent.
        Self.end(30, on: exporter)
        await group.triggerGracefulShutdown()
        try await task.value
        #expect(collector.received == 280)
        #expect(exporter.counts.exported == 280 && exporter.counts.dropped == 0)
        await collector.server.stop()
    }

    @Test func aFullQueueDropsAndAFailingCollectorCostsNothingButItsSpans() async throws {
        let collector = try await Collector()
        // Not running yet: the queue fills; past its bound new spans are dropped, counted.
        let exporter = Self.exporter(collector, maxQueue: 10)
        Self.end(15, on: exporter)
        #expect(exporter.counts.dropped == 5)
        collector.refuse(true)
        await exporter.exportQueued()
        #expect(collector.received == 0 && exporter.counts.exported == 0)
        // The collector back: later spans go.
        collector.refuse(false)
        let (group, task) = Self.running(exporter)
        Self.end(7, on: exporter)
        try await eventually("7 spans at the collector", timeout: .seconds(60)) { collector.received == 7 }
        await group.triggerGracefulShutdown()
        try await task.value
        #expect(exporter.counts.exported == 7)
        await collector.server.stop()
    }

    @Test func aSpanEndsOnce() async throws {
        let collector = try await Collector()
        let exporter = Self.exporter(collector)
        let span = Span(name: "once", kind: .client, context: .newTrace(), parentSpanId: nil, exporter: exporter)
        span.end()
        span.end()
        await exporter.exportQueued()
        #expect(collector.received == 1)
        await collector.server.stop()
    }
}
