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
    /// `LOG_LEVEL` (default info) and `LOG_FORMAT` (json or text; default json).
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

    public var databasePath: String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(serviceName).appendingPathComponent("\(serviceName).sqlite").path
    }

    public init(serviceName: String, defaultPort: Int, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let env = EnvironmentReader(environment)
        self.serviceName = serviceName
        host = env.string("HOST", default: "127.0.0.1")
        port = try env.int("PORT", default: defaultPort, range: 0...65535)
        dataDirectory = env.string("DATA_DIR", default: "./.data")
        kafkaBootstrapServers = env.string("KAFKA_BOOTSTRAP_SERVERS", default: "127.0.0.1:9092")
        jwksURL = env.string("JWKS_URL", default: "http://127.0.0.1:8081/.well-known/jwks.json")
        jwtIssuer = env.string("JWT_ISSUER", default: "http://127.0.0.1:8081")
        jwtAudience = env.string("JWT_AUDIENCE", default: "shop")
        logLevel = env.string("LOG_LEVEL", default: "info")
        logFormat = env.string("LOG_FORMAT", default: "json")
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
    }
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
