import Synchronization

/// Spans for one process: a span per inbound request, outbound call, outbox publish and event application,
/// exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (`ServiceApp` installs the exporter).
///
///     try await Tracing.withSpan("apply OrderPlaced", kind: .consumer, parent: event.traceparent) { span in
///         span?.set("messaging.destination.name", event.topic)
///         try await handle(event)            // outbound calls and logs in here are this span's children
///     }
///
/// The active span lives in a task-local, so children, outgoing `traceparent` headers and the `trace_id` /
/// `span_id` of log lines find it without being passed along. With tracing off the trace context still flows
/// (an incoming `traceparent` reaches the outgoing headers and events unchanged); only no span is made.
public enum Tracing {
    /// The span the current task works for, if any.
    @TaskLocal public static var active: TraceParent?

    /// The exporter spans go to; nil while tracing is off.
    public static var exporter: OTLPTraceExporter? { installed.withLock { $0 } }

    public static var isEnabled: Bool { exporter != nil }

    /// Installs the process's exporter (the first one wins: one service per process).
    @discardableResult
    public static func install(_ exporter: OTLPTraceExporter) -> Bool {
        installed.withLock { current in
            guard current == nil else { return false }
            current = exporter
            return true
        }
    }

    /// Starts a span, child of `parent` (a traceparent header) or else of the active span, or a new trace's
    /// root. The caller ends it. With tracing off: a non-recording span whose context is the parent's, so the
    /// trace context passes on unchanged (or nil context when there is none: see `withSpan`).
    public static func startSpan(_ name: String, kind: SpanKind, parent: String? = nil) -> Span? {
        let parentContext = parent.flatMap(TraceParent.init(header:)) ?? active
        guard let exporter else {
            return parentContext.map { Span(name: name, kind: kind, context: $0, parentSpanId: nil, exporter: nil) }
        }
        let context = parentContext?.child() ?? .newTrace()
        return Span(name: name, kind: kind, context: context, parentSpanId: parentContext?.spanId, exporter: exporter)
    }

    /// Runs `body` as a span (active for everything it calls) and ends it; a thrown error marks it failed.
    /// `span` is nil only when tracing is off and there is no trace context to pass on.
    public static func withSpan<T>(_ name: String, kind: SpanKind, parent: String? = nil,
                                   _ body: (Span?) async throws -> T) async rethrows -> T {
        let span = startSpan(name, kind: kind, parent: parent)
        defer { span?.end() }
        do {
            return try await $active.withValue(span?.context ?? active) { try await body(span) }
        } catch {
            span?.fail(String(describing: type(of: error)))
            throw error
        }
    }

    private static let installed = Mutex<OTLPTraceExporter?>(nil)
}
