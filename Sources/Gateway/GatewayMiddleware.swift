import Hummingbird
import HTTPTypes
import Logging
import ServiceKit

/// The gateway itself, as the router's catch-all: requests whose path falls under a route are rate
/// limited, authenticated (unless public) and forwarded; everything else falls through to the gateway's
/// own routes or the 404 envelope.
struct GatewayMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let configuration: GatewayConfiguration
    let resolver: UpstreamResolver
    let balancer: InstanceBalancer
    let circuits: UpstreamCircuits
    let forwarder: UpstreamForwarder
    let auth: AuthMiddleware
    let authLimiter: TokenBucketLimiter
    let limiter: TokenBucketLimiter
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard let route = configuration.routes.route(path: path, method: request.method) else {
            return try await next(request, context)
        }
        // The metrics label is the route pattern, not the raw path.
        context.coreContext.endpointPath.value = route.pattern.description
        let client = context.clientAddress ?? "unknown"
        let authRoute = configuration.authRateRoutes.matches(path: path, method: request.method)
        if let wait = (authRoute ? authLimiter : limiter).admit(client) {
            metrics.rateLimited(route: route.pattern.description)
            throw APIError.tooManyRequests(retryAfterSeconds: wait)
        }
        if configuration.publicRoutes.matches(path: path, method: request.method) {
            return try await proxy(request, context: context, service: route.service)
        }
        return try await auth.handle(request, context: context) { request, context in
            try await proxy(request, context: context, service: route.service)
        }
    }

    private func proxy(_ request: Request, context: Context, service: String) async throws -> Response {
        do {
            return try await forward(request, context: context, service: service)
        } catch let error as GatewayError {
            metrics.upstream(service: service, outcome: error.outcome)
            if case .circuitOpen = error {
                context.logger.debug("circuit open", metadata: ["service": "\(service)"])
            } else {
                context.logger.warning("upstream call failed", metadata: ["service": "\(service)", "error": "\(error)"])
            }
            throw error
        }
    }

    private func forward(_ request: Request, context: Context, service: String) async throws -> Response {
        guard let breaker = circuits.breaker(for: service) else { throw GatewayError.noInstances(service: service) }
        let instances = await resolver.instances(of: service)
        guard let instance = balancer.pick(service: service, among: instances) else {
            throw GatewayError.noInstances(service: service)
        }
        guard breaker.acquire() else {
            throw GatewayError.circuitOpen(service: service, retryAfterSeconds: UpstreamCircuits.retryAfter(breaker))
        }
        do {
            let outcome = try await forwarder.forward(request, context: context, service: service, instance: instance,
                                                      timeout: configuration.timeout(for: service))
            if outcome.isServerError {
                breaker.recordFailure()
                balancer.recordFailure(service: service, instance: instance)
                metrics.upstream(service: service, outcome: "server_error")
            } else {
                breaker.recordSuccess()
                balancer.recordSuccess(service: service, instance: instance)
                metrics.upstream(service: service, outcome: "ok")
            }
            return outcome.response
        } catch let error as GatewayError {
            breaker.recordFailure()
            balancer.recordFailure(service: service, instance: instance)
            throw error
        } catch {
            // The client went away (cancellation) before the upstream answered: neither a failure nor a
            // success of the upstream, but a half-open trial must not stay in flight forever.
            if breaker.currentState == .halfOpen { breaker.recordFailure() }
            throw error
        }
    }
}

extension GatewayError {
    var outcome: String {
        switch self {
        case .noInstances: "no_instances"
        case .upstreamUnreachable: "unreachable"
        case .upstreamTimeout: "timeout"
        case .circuitOpen: "circuit_open"
        }
    }
}
