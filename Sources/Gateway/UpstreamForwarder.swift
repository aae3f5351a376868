import AsyncHTTPClient
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// Sends one request to one upstream instance and turns its answer into the client's response, with
/// both bodies streamed: the client's body is read as the upstream consumes it, the upstream's body is
/// written to the client as it arrives. Only the wait for the response head is bounded by `timeout`.
struct UpstreamForwarder: Sendable {
    let client: HTTPClient
    /// Proxies in front of the gateway (`GATEWAY_TRUSTED_PROXIES`), whose forwarded chain is passed on.
    let trustedProxies: TrustedProxies
    /// An exchange that has its head may stream for at most this long.
    static let streamingDeadline: TimeAmount = .hours(1)

    struct Outcome {
        var response: Response
        /// 5xx: counts against the instance and the circuit.
        var isServerError: Bool
    }

    /// A client span of the request's trace covers the wait for the upstream's head; the upstream continues it.
    func forward(_ request: Request, context: ServiceRequestContext, service: String, instance: String, timeout: Duration) async throws -> Outcome {
        try await Tracing.withSpan("\(request.method.rawValue) \(service)", kind: .client) { span in
            span?.set("gateway.upstream.service", service)
            span?.set("server.address", instance)
            let outcome = try await forward(request, context: context, service: service, instance: instance, timeout: timeout,
                                            traceparent: span?.context.header)
            span?.set("http.response.status_code", Int(outcome.response.status.code))
            if outcome.isServerError { span?.fail("HTTP \(outcome.response.status.code)") }
            return outcome
        }
    }

    private func forward(_ request: Request, context: ServiceRequestContext, service: String, instance: String, timeout: Duration,
                         traceparent: String?) async throws -> Outcome {
        let target = request.head.path ?? "/"
        var upstream = HTTPClientRequest(url: instance + (target.hasPrefix("/") ? target : "/" + target))
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        upstream.headers = ProxyHeaders.upstream(from: request.headers, requestId: context.requestId,
                                                 peer: context.remoteAddress, trusted: trustedProxies, authority: request.head.authority,
                                                 scheme: request.head.scheme)
        if let traceparent { upstream.headers.replaceOrAdd(name: "traceparent", value: traceparent) }
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > 0 {
            upstream.body = .stream(request.body, length: .known(length))
        } else if request.headers[values: .transferEncoding].contains(where: { $0.lowercased().contains("chunked") }) {
            upstream.body = .stream(request.body, length: .unknown)
        }
        let response = try await headWithin(timeout, upstream, service: service, instance: instance, logger: context.logger)
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        let body = ResponseBody(asyncSequence: response.body)
        return Outcome(response: Response(status: status, headers: ProxyHeaders.downstream(from: response.headers), body: body),
                       isServerError: response.status.code >= 500)
    }

    /// The upstream's response head, or `GatewayError.upstreamTimeout`/`.upstreamUnreachable`.
    private func headWithin(_ timeout: Duration, _ request: HTTPClientRequest, service: String, instance: String, logger: Logger) async throws -> HTTPClientResponse {
        let client = client
        do {
            return try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                group.addTask { try await client.execute(request, deadline: .now() + Self.streamingDeadline, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw GatewayError.upstreamTimeout(service: service, instance: instance, after: timeout)
                }
                return response
            }
        } catch let error as GatewayError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw GatewayError.upstreamUnreachable(service: service, instance: instance, reason: String(describing: error))
        }
    }
}
