import Foundation

/// One process of the stack `shop up` runs: how to start it, where it listens, how readiness is checked.
struct StackComponent: Sendable {
    enum Readiness: Sendable {
        /// The port accepts TCP connections (the broker).
        case tcp
        /// `GET path` answers 200.
        case http(path: String)
    }

    let name: String
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    let port: Int
    let readiness: Readiness
    /// ANSI colour of the log prefix.
    let color: Int

    var url: String {
        switch readiness {
        case .tcp: "127.0.0.1:\(port)"
        case .http: "http://127.0.0.1:\(port)"
        }
    }

    /// Start order: the broker first (everything publishes to it), then configuration and the registry
    /// (the others read and register with them), then IAM (the gateway needs its JWKS), then the gateway.
    static let order = ["broker", "config", "discovery", "iam", "gateway"]

    static let seedPorts = ["broker": 9092, "config": 8888, "discovery": 8761, "iam": 8081, "gateway": 8080]

    /// The stack for `names`, with every port shifted by `portOffset` and all data under `dataDirectory`.
    static func stack(names: [String], binDirectory: String, dataDirectory: String, portOffset: Int,
                      baseEnvironment: [String: String]) -> [StackComponent] {
        func port(_ name: String) -> Int { (seedPorts[name] ?? 0) + portOffset }
        let selected = Set(names)
        var shared = baseEnvironment
        shared["DATA_DIR"] = dataDirectory
        shared["HOST"] = "127.0.0.1"
        shared["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:\(port("broker"))"
        shared["JWKS_URL"] = "http://127.0.0.1:\(port("iam"))/.well-known/jwks.json"
        shared["JWT_ISSUER"] = shared["JWT_ISSUER"] ?? "http://127.0.0.1:\(port("iam"))"
        shared["UPSTREAM_IAM_URL"] = "http://127.0.0.1:\(port("iam"))"
        if selected.contains("discovery") { shared["DISCOVERY_URL"] = "http://127.0.0.1:\(port("discovery"))" }
        if selected.contains("config") {
            shared["CONFIG_SERVER_URL"] = "http://127.0.0.1:\(port("config"))"
            // Environment variables still win; a config server that is restarting does not block the others.
            shared["CONFIG_SERVER_OPTIONAL"] = shared["CONFIG_SERVER_OPTIONAL"] ?? "true"
        }
        let shop = binDirectory + "/shop"
        return order.filter(selected.contains).enumerated().map { index, name in
            let color = [33, 36, 35, 32, 34, 31][index % 6]
            if name == "broker" {
                return StackComponent(
                    name: name, executable: binDirectory + "/broker",
                    arguments: ["--listen", "127.0.0.1:\(port(name))", "--data-dir", dataDirectory + "/broker",
                                "--metrics-listen", "127.0.0.1:\(9644 + portOffset)"],
                    environment: shared, port: port(name), readiness: .tcp, color: color)
            }
            var environment = shared
            environment["PORT"] = String(port(name))
            // The registry does not register with itself, and the config server (started before the registry,
            // stopped after it) is reached at its fixed address by everyone.
            if name == "discovery" || name == "config" { environment["DISCOVERY_URL"] = nil }
            return StackComponent(name: name, executable: shop, arguments: ["serve", name], environment: environment,
                                  port: port(name), readiness: .http(path: "/health/live"), color: color)
        }
    }
}
