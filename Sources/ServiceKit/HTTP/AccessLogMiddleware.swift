import Hummingbird
import Logging

/// One log line per answered request (method, route, status, duration, request id from the logger's
/// metadata); 5xx at error level, 4xx at notice, the rest at info, except the machine traffic that would
/// drown everything else (health probes, registry heartbeats, metric scrapes), which logs at debug.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let level: Logger.Level = response.status.code >= 500 ? .error : response.status.code >= 400 ? .notice
            : Self.isRoutine(request.uri.path) ? .debug : .info
        context.logger.log(level: level, "\(request.method.rawValue) \(request.uri.path) \(response.status.code)", metadata: [
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", milliseconds)),
            "route": .string(context.endpointPath ?? "unmatched"),
        ])
        return response
    }

    /// Probes, scrapes and heartbeats: several a second under `shop up`.
    static func isRoutine(_ path: String) -> Bool {
        path.hasPrefix("/health") || path == "/metrics" || path.hasSuffix("/heartbeat")
    }
}
