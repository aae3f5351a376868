import Foundation
import Synchronization

/// What a span stands for, as OTLP numbers it.
public enum SpanKind: Int, Sendable {
    case `internal` = 1
    /// An inbound HTTP request.
    case server = 2
    /// An outbound HTTP call.
    case client = 3
    /// An event handed to the broker (the outbox relay's send).
    case producer = 4
    /// An event applied from the broker.
    case consumer = 5
}

/// One attribute value (OTLP's `AnyValue`, the kinds the services use).
public enum SpanAttribute: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
}

/// One unit of work being timed. Its `context` is what children and outgoing messages carry; the attributes
/// and status may change until `end()`, which hands it to the exporter once (later calls do nothing). A span
/// of a process whose tracing is off is not recording: it costs an allocation and nothing is exported.
public final class Span: Sendable {
    public let context: TraceParent
    public let parentSpanId: String?
    public let kind: SpanKind
    public let isRecording: Bool
    private let startNanos: UInt64
    private let state: Mutex<State>
    private let exporter: OTLPTraceExporter?

    struct State {
        var name: String
        var attributes: [(String, SpanAttribute)] = []
        var errorMessage: String?
        var ended = false
    }

    init(name: String, kind: SpanKind, context: TraceParent, parentSpanId: String?, exporter: OTLPTraceExporter?) {
        self.context = context
        self.parentSpanId = parentSpanId
        self.kind = kind
        self.exporter = exporter
        isRecording = exporter != nil
        startNanos = Self.nowNanos()
        state = Mutex(State(name: name))
    }

    /// Renames the span (a server span learns its route pattern only after routing).
    public func rename(_ name: String) {
        guard isRecording else { return }
        state.withLock { $0.name = name }
    }

    public func set(_ key: String, _ value: SpanAttribute) {
        guard isRecording else { return }
        state.withLock { $0.attributes.append((key, value)) }
    }

    public func set(_ key: String, _ value: String) { set(key, .string(value)) }
    public func set(_ key: String, _ value: Int) { set(key, .int(Int64(value))) }

    /// Marks the span failed (OTLP status ERROR) with a short message.
    public func fail(_ message: String) {
        guard isRecording else { return }
        state.withLock { $0.errorMessage = message }
    }

    public func end() {
        guard let exporter else { return }
        let endNanos = Self.nowNanos()
        let finished: FinishedSpan? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return FinishedSpan(name: state.name, kind: kind, context: context, parentSpanId: parentSpanId,
                                startNanos: startNanos, endNanos: max(endNanos, startNanos), attributes: state.attributes,
                                errorMessage: state.errorMessage)
        }
        if let finished { exporter.record(finished) }
    }

    static func nowNanos() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// A span that ended, as the exporter sends it.
struct FinishedSpan: Sendable {
    var name: String
    var kind: SpanKind
    var context: TraceParent
    var parentSpanId: String?
    var startNanos: UInt64
    var endNanos: UInt64
    var attributes: [(String, SpanAttribute)]
    var errorMessage: String?
}
