import Foundation
import ServiceKit

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

    /// The broker and every service of `Services`, in `ServiceCatalogue`'s start order.
    static var order: [String] { Services.stack }

    /// The stack for `names`, with every port shifted by `portOffset` and all data under `dataDirectory`.
    static func stack(names: [String], binDirectory: String, dataDirectory: String, portOffset: Int,
                      baseEnvironment: [String: String], serviceClients: ServiceClients) -> [StackComponent] {
        func port(_ name: String) -> Int { (ServiceCatalogue.port(of: name) ?? 0) + portOffset }
        let selected = Set(names)
        var shared = baseEnvironment
        shared["DATA_DIR"] = dataDirectory
        shared["HOST"] = "127.0.0.1"
        shared["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:\(port("broker"))"
        shared["JWKS_URL"] = "http://127.0.0.1:\(port("iam"))/.well-known/jwks.json"
        shared["JWT_ISSUER"] = shared["JWT_ISSUER"] ?? "http://127.0.0.1:\(port("iam"))"
        // The gateway's upstreams follow the offset (the defaults are the seed ports).
        for entry in ServiceCatalogue.entries where entry.behindGateway && selected.contains(entry.name) {
            shared["UPSTREAM_\(entry.name.uppercased())_URL"] = "http://127.0.0.1:\(port(entry.name))"
        }
        // So do the services' calls to each other (read-through), unless the operator named other addresses.
        for (variable, service) in [("ORDER_CATALOG_URL", "catalog"), ("ORDER_CUSTOMER_URL", "customer"),
                                    ("PAYMENT_ORDER_SERVICE_URL", "order")] where selected.contains(service) {
            shared[variable] = shared[variable] ?? "http://127.0.0.1:\(port(service))"
        }
        // IAM knows the clients of API.md §1.4 unless the operator configured their own.
        shared["IAM_SERVICE_CLIENTS"] = shared["IAM_SERVICE_CLIENTS"] ?? serviceClients.iamSetting
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
                                "--metrics-listen", "127.0.0.1:\(ServiceCatalogue.brokerMetricsPort + portOffset)"],
                    environment: shared, port: port(name), readiness: .tcp, color: color)
            }
            var environment = shared
            environment["PORT"] = String(port(name))
            // The registry does not register with itself, and the config server (started before the registry,
            // stopped after it) is reached at its fixed address by everyone.
            if name == "discovery" || name == "config" { environment["DISCOVERY_URL"] = nil }
            if let client = serviceClients.client(usedBy: name), baseEnvironment["SERVICE_CLIENT_ID"] == nil {
                environment["SERVICE_CLIENT_ID"] = client.id
                environment["SERVICE_CLIENT_SECRET"] = client.secret
            }
            return StackComponent(name: name, executable: shop, arguments: ["serve", name], environment: environment,
                                  port: port(name), readiness: .http(path: "/health/live"), color: color)
        }
    }
}
