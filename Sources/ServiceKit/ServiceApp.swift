import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// One service's HTTP application with everything ServiceKit adds: the envelope on every answer,
/// request ids, CORS, body limits, per-route metrics, `/health/live`, `/health/ready`, `/metrics`,
/// `/openapi.json` and `/swagger-ui.html`. A service registers its routes through `route(…)` (which also
/// documents them) and adds its background services (outbox relay, consumers).
public final class ServiceApp: @unchecked Sendable {
    // @unchecked: the mutable members (router, services, checks) are only touched while the service is
    // assembled, on one task, before `run`/`application()` hands them to Hummingbird.
    public let config: ServiceConfig
    public let logger: Logger
    public let registry: PrometheusCollectorRegistry
    public let openAPI: OpenAPIDocument
    public let routes = RouteTable()
    public let router: Router<ServiceRequestContext>
    public private(set) var backgroundServices: [any Service] = []
    private let readinessChecks = ReadinessChecks()

    public init(config: ServiceConfig, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger? = nil) {
        self.config = config
        self.registry = registry
        self.logger = logger ?? Logger(label: config.serviceName)
        openAPI = OpenAPIDocument(title: config.serviceName)
        router = Router(context: ServiceRequestContext.self)
        let bodyLimit = config.maxBodyBytes
        router.add(middleware: RequestIDMiddleware())
        // Outside the access log, so that its line carries the request's trace and span ids.
        router.add(middleware: TracingMiddleware())
        router.add(middleware: ClientAddressMiddleware(trusted: config.trustedProxies))
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(registry: registry, service: config.serviceName))
        router.add(middleware: CORSMiddleware(
            allowOrigin: config.corsAllowedOrigins == ["*"] ? .all : .originBased,
            allowHeaders: [.accept, .authorization, .contentType, .origin, .requestId, .traceparent, .idempotencyKey],
            allowMethods: [.get, .post, .put, .patch, .delete, .options],
            exposedHeaders: ["X-Request-Id", "Retry-After", "Idempotent-Replayed", "Location"]
        ))
        router.add(middleware: EnvelopeMiddleware(routes: routes))
        router.add(middleware: BodyLimitMiddleware(limit: bodyLimit))
        addOperationalRoutes()
        if let url = config.otlpTracesURL {
            let exporter = OTLPTraceExporter(settings: .init(url: url, serviceName: config.otelServiceName), logger: self.logger)
            if Tracing.install(exporter) { backgroundServices.append(exporter) }
        }
    }

    /// Registers a route, documents it in `/openapi.json`, and runs `middleware` (auth, rate limits)
    /// for it only.
    public func route<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method,
        _ path: String,
        doc: OperationDoc,
        middleware: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>] = [],
        _ handler: @escaping @Sendable (Request, ServiceRequestContext) async throws -> Output
    ) {
        routes.add(method, path)
        var implied: [Int] = []
        for item in middleware {
            if item is RateLimitMiddleware { implied.append(429) }
            if let auth = item as? AuthMiddleware, auth.requiredRole != nil { implied.append(403) }
        }
        openAPI.add(method: method, path: path, doc: doc, implied: implied)
        let group = router.group()
        for item in middleware { group.add(middleware: item) }
        group.on(RouterPath(path), method: method, use: handler)
    }

    public func addReadinessCheck(_ check: ReadinessCheck) {
        readinessChecks.append(check)
    }

    public func addBackgroundService(_ service: any Service) {
        backgroundServices.append(service)
    }

    /// The Hummingbird application, for `run` or for tests (`app.test(.live)`).
    public func application(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        var services = backgroundServices
        let boundPort = BoundPort()
        if let registryURL = config.discoveryURL {
            let settings = DiscoveryRegistration.Settings(heartbeatInterval: config.discoveryHeartbeatInterval,
                                                          advertisedHost: config.discoveryAdvertisedHost, boundPort: boundPort)
            services.append(DiscoveryRegistration(registryURL: registryURL, serviceName: config.serviceName,
                                                  host: config.host, port: config.port, logger: logger, settings: settings))
        }
        // A guard per connection (the handlers are made anew for each).
        let headDeadline = TimeAmount.seconds(config.httpRequestHeadTimeout.components.seconds)
        let bodyDeadline = TimeAmount.seconds(config.httpRequestBodyTimeout.components.seconds)
        var configuration = ApplicationConfiguration(address: .hostname(config.host, port: config.port), serverName: config.serviceName)
        configuration.availableConnectionsDelegate = .maximum(config.httpMaxConnections, logger: logger)
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [
                ConnectionGuard(headDeadline: headDeadline, bodyDeadline: bodyDeadline),
            ],
                                                idleTimeout: .seconds(config.httpIdleTimeout.components.seconds))),
            configuration: configuration,
            services: services,
            onServerRunning: { channel in
                // Port 0 (tests) binds an ephemeral port; registration advertises the real one.
                if let port = channel.localAddress?.port { boundPort.set(port) }
                await onServerRunning(channel)
            },
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then drains and stops the background services.
    public func run() async throws {
        let serviceName = config.serviceName
        let logger = logger
        try await application(onServerRunning: { channel in
            logger.info("\(serviceName) listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        }).runService()
    }

    private func addOperationalRoutes() {
        let readinessChecks = readinessChecks
        route(.get, "/health/live", doc: OperationDoc("Liveness: the process serves HTTP", tag: "operations")) { _, _ in
            EnvelopeResponse(["status": "UP"], message: "live")
        }
        route(.get, "/health/ready", doc: OperationDoc("Readiness: the database and the broker are reachable", tag: "operations", errors: [503])) { _, _ in
            var failing: [FieldError] = []
            var status: [String: String] = [:]
            for check in readinessChecks.all {
                let ok = await check.check()
                status[check.name] = ok ? "UP" : "DOWN"
                if !ok { failing.append(FieldError(field: check.name, message: "is not reachable")) }
            }
            if !failing.isEmpty { throw APIError(.serviceUnavailable, "Not ready", errors: failing) }
            return EnvelopeResponse(status, message: "ready")
        }
        let registry = registry
        route(.get, "/metrics", doc: OperationDoc("Prometheus metrics (text exposition format)", tag: "operations",
                                                  rawResponse: "text/plain; version=0.0.4")) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        let openAPI = openAPI
        route(.get, "/openapi.json", doc: OperationDoc("This document", tag: "operations", rawResponse: "application/json")) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPI.render())))
        }
        let title = config.serviceName
        route(.get, "/swagger-ui.html", doc: OperationDoc("Swagger UI for this document", tag: "operations", rawResponse: "text/html")) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: SwaggerUI.page(title: title))))
        }
    }
}

/// Refuses a declared Content-Length above the limit before any handler reads the body.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(.contentTooLarge, "The request body is larger than \(limit) bytes")
        }
        var context = context
        context.bodyLimit = limit
        return try await next(request, context)
    }
}

final class ReadinessChecks: Sendable {
    private let checks = Mutex<[ReadinessCheck]>([])
    func append(_ check: ReadinessCheck) { checks.withLock { $0.append(check) } }
    var all: [ReadinessCheck] { checks.withLock { $0 } }
}
