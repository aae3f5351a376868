import Hummingbird
import Prometheus

/// Request rate, errors and latency per route (the route's pattern, not the raw path, so ids do not
/// explode the label space).
public struct HTTPMetricsMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let registry: PrometheusCollectorRegistry
    let service: String

    public init(registry: PrometheusCollectorRegistry, service: String) {
        self.registry = registry
        self.service = service
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let labels = [("service", service), ("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: labels
        ).increment()
        if response.status.code >= 500 {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "http", metricName: "server_errors", unitName: "total", helpText: "HTTP answers with a 5xx status"),
                labels: [("service", service), ("route", route)]
            ).increment()
        }
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "http", metricName: "request_duration", unitName: "seconds", helpText: "Time to answer"),
            labels: [("service", service), ("method", request.method.rawValue), ("route", route)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5)]
        ).record(ContinuousClock.now - start)
        return response
    }
}
