import HTTPTypes
import ServiceKit

/// Why the gateway answered instead of an upstream; each becomes an error envelope.
public enum GatewayError: APIErrorConvertible, CustomStringConvertible, Equatable {
    /// No instance is configured or registered for the service.
    case noInstances(service: String)
    /// Connection refused or reset, DNS, TLS: the call did not produce an answer.
    case upstreamUnreachable(service: String, instance: String, reason: String)
    /// No response head within the service's timeout.
    case upstreamTimeout(service: String, instance: String, after: Duration)
    /// The service's circuit is open; calls resume after `retryAfterSeconds`.
    case circuitOpen(service: String, retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case .noInstances(let service): "no instance of \(service) is configured or registered"
        case .upstreamUnreachable(let service, let instance, let reason): "\(service) at \(instance) is unreachable: \(reason)"
        case .upstreamTimeout(let service, let instance, let after): "\(service) at \(instance) did not answer within \(after)"
        case .circuitOpen(let service, let retry): "\(service) is failing; calls are suspended for \(retry) s (circuit open)"
        }
    }

    /// What the client sees: no instance addresses or internal reasons.
    public var apiError: APIError {
        switch self {
        case .noInstances(let service):
            APIError(.serviceUnavailable, "The \(service) service is not available")
        case .upstreamUnreachable(let service, _, _):
            APIError(.badGateway, "The \(service) service could not be reached")
        case .upstreamTimeout(let service, _, _):
            APIError(.gatewayTimeout, "The \(service) service did not answer in time")
        case .circuitOpen(let service, let retry):
            APIError(.serviceUnavailable, "The \(service) service is temporarily unavailable; retry after \(retry) s",
                     headers: [.retryAfter: String(retry)])
        }
    }
}
