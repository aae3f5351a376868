import HTTPTypes
import Hummingbird

/// A server span per request, child of the caller's `traceparent` (or a new trace's root), named after the
/// route pattern. The span is active while the handler runs (`Tracing.active`, `request.traceparent`), so the
/// events it writes to the outbox and the calls it makes continue it. (The request is not rebuilt with another
/// header: a second `Request` over the same body stream makes the server iterate that stream twice.) Probes,
/// scrapes and heartbeats make no span (several a second would bury the traces people look for); their
/// context still passes on.
public struct TracingMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !AccessLogMiddleware.isRoutine(request.uri.path) else { return try await next(request, context) }
        return try await Tracing.withSpan("\(request.method.rawValue) \(request.uri.path)", kind: .server,
                                          parent: request.headers[.traceparent]) { span in
            guard let span else { return try await next(request, context) }
            var context = context
            if span.isRecording {
                context.logger[metadataKey: "trace_id"] = .string(span.context.traceId)
                context.logger[metadataKey: "span_id"] = .string(span.context.spanId)
            }
            let response = try await next(request, context)
            let route = context.endpointPath ?? "unmatched"
            span.rename("\(request.method.rawValue) \(route)")
            span.set("http.request.method", request.method.rawValue)
            span.set("http.route", route)
            span.set("http.response.status_code", Int(response.status.code))
            span.set("http.request.id", context.requestId)
            if response.status.code >= 500 { span.fail("HTTP \(response.status.code)") }
            return response
        }
    }
}

extension Request {
    /// The trace context of what this request causes: its span when one is active, else the caller's header.
    public var traceparent: String? {
        Tracing.active?.header ?? headers[.traceparent]
    }
}

extension EventMetadata {
    /// The envelope metadata of events a request causes: the request id is their correlation and their cause,
    /// and the request's span their trace parent.
    public static func caused(by request: Request, context: ServiceRequestContext) -> EventMetadata {
        EventMetadata(correlationId: context.requestId, causationId: context.requestId, traceparent: request.traceparent)
    }
}
