import Foundation

/// Settings every service shares. Each comes from the environment with a default that works on one
/// machine; `shop serve` flags override the environment. The README's configuration table lists them.
public struct ServiceConfig: Sendable {
    /// The service's name in logs, metrics, events (`producer` header) and its consumer group.
    public var serviceName: String
    /// `PORT`
    public var host: String
    public var port: Int
    /// `DATA_DIR` (default ./.data); the database is `<DATA_DIR>/<service>/<service>.sqlite`.
    public var dataDirectory: String
    /// `KAFKA_BOOTSTRAP_SERVERS` (default 127.0.0.1:9092).
    public var kafkaBootstrapServers: String
    /// `JWKS_URL` (default http://127.0.0.1:8081/.well-known/jwks.json).
    public var jwksURL: String
    /// `JWT_ISSUER` and `JWT_AUDIENCE`: what tokens must say.
    public var jwtIssuer: String
    public var jwtAudience: String
    /// `LOG_LEVEL` (default info) and `LOG_FORMAT` (json or text; default text on a terminal, else json).
    public var logLevel: String
    public var logFormat: String
    /// `CORS_ALLOWED_ORIGINS`: `*` (default) or a comma-separated list.
    public var corsAllowedOrigins: [String]
    /// `MAX_BODY_BYTES` (default 1 MiB).
    public var maxBodyBytes: Int
    /// `SHOP_ENV`: `development` (default) or `production`.
    public var production: Bool
    /// `DISCOVERY_URL`: the service registry to register with (none by default).
    public var discoveryURL: String?
    /// `DISCOVERY_HEARTBEAT_SECONDS` (default 10): how often a registered service renews its lease.
    public var discoveryHeartbeatInterval: Duration
    /// `DISCOVERY_ADVERTISED_HOST`: the host registered for others to dial (default: `HOST`, with
    /// 0.0.0.0 mapped to 127.0.0.1).
    public var discoveryAdvertisedHost: String?
    /// `OUTBOX_POLL_INTERVAL_MS` (default 1000): how often the outbox relay looks for rows without a
    /// commit signal, and refreshes its lag metrics.
    public var outboxPollInterval: Duration
    /// `TRUSTED_PROXIES` (default loopback): the peers whose `X-Forwarded-For` is believed, so that a
    /// service behind the gateway rate-limits the real client, not the gateway.
    public var trustedProxies: TrustedProxies

    /// `HTTP_IDLE_TIMEOUT_SECONDS` (default 30): a connection that sends nothing for this long (no request,
    /// half a request line, headers or a body that stop coming) is closed, so stalled clients cannot hold
    /// connections for ever (slowloris).
    public var httpIdleTimeout: Duration
    /// `HTTP_REQUEST_HEAD_TIMEOUT_SECONDS` (default 30): a connection ready for a request (new, or its last
    /// answer written) must deliver the request line and headers within this, however slowly the bytes
    /// trickle in; otherwise it is closed. An idle keep-alive connection ends at this too.
    public var httpRequestHeadTimeout: Duration = .seconds(30)
    /// `HTTP_REQUEST_BODY_TIMEOUT_SECONDS` (default 60): once the headers are in, the whole body must arrive
    /// within this.
    public var httpRequestBodyTimeout: Duration = .seconds(60)
    /// `HTTP_MAX_CONNECTIONS` (default 2000): beyond this the service stops accepting until some close.
    public var httpMaxConnections: Int

    /// `SERVICE_CLIENT_ID` and `SERVICE_CLIENT_SECRET` (both or neither): the client-credentials client
    /// this service authenticates as when it calls another service (`shop up` sets them, API.md §1.4).
    public var serviceClient: ServiceClientCredentials?
    /// `OAUTH_TOKEN_URL` (default `<JWT_ISSUER>/oauth2/token`): where that client gets its tokens.
    public var oauthTokenURL: String

    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`: the
    /// OTLP/HTTP collector spans are posted to as JSON. Unset: tracing is off (the trace context still flows).
    public var otlpTracesURL: String?
    /// `OTEL_SERVICE_NAME` (default the service's name): the `service.name` of its spans.
    public var otelServiceName: String

    /// `KAFKA_BOOTSTRAP_SERVERS` as a list of HOST:PORT.
    public var kafkaBootstrapList: [String] {
        kafkaBootstrapServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public var databasePath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(serviceName).appendingPathComponent("\(serviceName).sqlite").path
    }

    public init(serviceName: String, defaultPort: Int, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let env = EnvironmentReader(environment)
        self.serviceName = serviceName
        host = env.string("HOST", default: "127.0.0.1")
        port = try env.int("PORT", default: defaultPort, range: 0...65535)
        dataDirectory = env.string("DATA_DIR", default: "./.data")
        kafkaBootstrapServers = env.string("KAFKA_BOOTSTRAP_SERVERS", default: "127.0.0.1:\(ServiceCatalogue.port(of: "broker") ?? 9092)")
        let iam = ServiceCatalogue.localURL(of: "iam") ?? "http://127.0.0.1:8081"
        jwksURL = env.string("JWKS_URL", default: iam + "/.well-known/jwks.json")
        jwtIssuer = env.string("JWT_ISSUER", default: iam)
        jwtAudience = env.string("JWT_AUDIENCE", default: "shop")
        logLevel = env.string("LOG_LEVEL", default: "info")
        // A person at a terminal reads short lines; anything else (a pipe, a file, a shipper) gets JSON.
        logFormat = env.string("LOG_FORMAT", default: isatty(STDERR_FILENO) == 1 ? "text" : "json")
        guard ["json", "text"].contains(logFormat) else {
            throw ConfigError.invalid(name: "LOG_FORMAT", value: logFormat, expected: "json or text")
        }
        corsAllowedOrigins = env.string("CORS_ALLOWED_ORIGINS", default: "*").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        maxBodyBytes = try env.int("MAX_BODY_BYTES", default: 1 << 20, range: 1024...(64 << 20))
        let mode = env.string("SHOP_ENV", default: "development")
        guard ["development", "production"].contains(mode) else {
            throw ConfigError.invalid(name: "SHOP_ENV", value: mode, expected: "development or production")
        }
        production = mode == "production"
        discoveryURL = env.optional("DISCOVERY_URL")
        discoveryHeartbeatInterval = .seconds(try env.int("DISCOVERY_HEARTBEAT_SECONDS", default: 10, range: 1...3600))
        discoveryAdvertisedHost = env.optional("DISCOVERY_ADVERTISED_HOST")
        httpIdleTimeout = .seconds(try env.int("HTTP_IDLE_TIMEOUT_SECONDS", default: 30, range: 1...3600))
        httpMaxConnections = try env.int("HTTP_MAX_CONNECTIONS", default: 2000, range: 1...1_000_000)
        httpRequestHeadTimeout = .seconds(try env.int("HTTP_REQUEST_HEAD_TIMEOUT_SECONDS", default: 30, range: 1...3600))
        httpRequestBodyTimeout = .seconds(try env.int("HTTP_REQUEST_BODY_TIMEOUT_SECONDS", default: 60, range: 1...3600))
        outboxPollInterval = .milliseconds(try env.int("OUTBOX_POLL_INTERVAL_MS", default: 1000, range: 10...600_000))
        trustedProxies = try TrustedProxies(parsing: env.string("TRUSTED_PROXIES", default: TrustedProxies.loopbackSpec), variable: "TRUSTED_PROXIES")
        switch (env.optional("SERVICE_CLIENT_ID"), env.optional("SERVICE_CLIENT_SECRET")) {
        case (nil, nil): serviceClient = nil
        case (let id?, let secret?): serviceClient = ServiceClientCredentials(clientId: id, clientSecret: secret)
        case (nil, _?): throw ConfigError.invalid(name: "SERVICE_CLIENT_ID", value: "", expected: "set together with SERVICE_CLIENT_SECRET")
        case (_?, nil): throw ConfigError.invalid(name: "SERVICE_CLIENT_SECRET", value: "", expected: "set together with SERVICE_CLIENT_ID")
        }
        if let traces = env.optional("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            otlpTracesURL = traces
        } else if let base = env.optional("OTEL_EXPORTER_OTLP_ENDPOINT") {
            otlpTracesURL = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        }
        for name in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let proto = env.optional(name), proto != "http/json" {
                throw ConfigError.invalid(name: name, value: proto, expected: "http/json (the only OTLP encoding the services send)")
            }
        }
        if let url = otlpTracesURL, URL(string: url)?.host == nil || !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ConfigError.invalid(name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: url, expected: "an http:// or https:// URL")
        }
        otelServiceName = env.string("OTEL_SERVICE_NAME", default: serviceName)
        // IAM is the issuer: under `shop up --port-offset` its URL moves with it.
        oauthTokenURL = env.string("OAUTH_TOKEN_URL", default: jwtIssuer + "/oauth2/token")
    }

    /// Every variable `init` reads, plus the ones read before it (remote configuration, `shop up`): the
    /// settings every service knows, for the start-up report of unknown keys.
    public static let settingNames = [
        "HOST", "PORT", "DATA_DIR", "KAFKA_BOOTSTRAP_SERVERS", "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "LOG_LEVEL",
        "LOG_FORMAT", "CORS_ALLOWED_ORIGINS", "MAX_BODY_BYTES", "SHOP_ENV", "DISCOVERY_URL", "DISCOVERY_HEARTBEAT_SECONDS",
        "DISCOVERY_ADVERTISED_HOST", "OUTBOX_POLL_INTERVAL_MS", "TRUSTED_PROXIES", "HTTP_IDLE_TIMEOUT_SECONDS", "HTTP_MAX_CONNECTIONS",
        "HTTP_REQUEST_HEAD_TIMEOUT_SECONDS", "HTTP_REQUEST_BODY_TIMEOUT_SECONDS",
        "SERVICE_CLIENT_ID", "SERVICE_CLIENT_SECRET", "OAUTH_TOKEN_URL",
        "CONFIG_SERVER_URL", "SHOP_PROFILE", "CONFIG_LABEL", "CONFIG_SERVER_OPTIONAL", "CONFIG_SERVER_TIMEOUT_SECONDS",
        "CONFIG_SERVER_ATTEMPTS", "CONFIG_SERVER_RETRY_DELAY_MS", "SHOP_UP_PID",
        "IDEMPOTENCY_RETENTION_HOURS", "IDEMPOTENCY_LEASE_SECONDS",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SERVICE_NAME",
    ]
}

public enum ConfigError: Error, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)
    case missing(name: String, why: String)

    public var description: String {
        switch self {
        case .invalid(let name, let value, let expected): "\(name)=\(value) is invalid: expected \(expected)"
        case .missing(let name, let why): "\(name) must be set: \(why)"
        }
    }
}

/// Typed reads of environment variables; an unparsable value is an error, never silently the default.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String, default value: String) -> String {
        guard let raw = values[name], !raw.isEmpty else { return value }
        return raw
    }

    public func optional(_ name: String) -> String? {
        guard let raw = values[name], !raw.isEmpty else { return nil }
        return raw
    }

    public func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = optional(name) else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw ConfigError.invalid(name: name, value: raw, expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return parsed
    }

    public func seconds(_ name: String, default value: Int) throws -> Duration {
        .seconds(try int(name, default: value, range: 1...(365 * 24 * 3600)))
    }

    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = optional(name)?.lowercased() else { return value }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError.invalid(name: name, value: raw, expected: "true or false")
        }
    }
}

/// A client-credentials client's id and secret; the secret never appears in a description.
public struct ServiceClientCredentials: Sendable, Equatable, CustomStringConvertible {
    public var clientId: String
    public var clientSecret: String

    public init(clientId: String, clientSecret: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    public var description: String { "client \(clientId)" }
}
