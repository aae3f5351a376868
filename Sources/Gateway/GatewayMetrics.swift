import ServiceKit

/// The gateway's own counters next to ServiceKit's per-route HTTP metrics.
struct GatewayMetrics: Sendable {
    let app: ServiceApp

    /// `gateway_upstream_calls_total{service,outcome}`: ok, server_error, unreachable, timeout, circuit_open, no_instances.
    func upstream(service: String, outcome: String) {
        app.incrementCounter(namespace: "gateway", name: "upstream_calls", help: "Calls to upstream services by outcome",
                             labels: [("service", service), ("outcome", outcome)])
    }

    /// `gateway_rate_limited_total{route}`.
    func rateLimited(route: String) {
        app.incrementCounter(namespace: "gateway", name: "rate_limited", help: "Requests refused with 429", labels: [("route", route)])
    }
}
