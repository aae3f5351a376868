import Foundation

/// Everything a run was asked to do, checked (`Load.validate`) and with the defaults filled in.
struct LoadSettings: Sendable {
    enum ProcessCPUMode: Sendable {
        case off, whenFound, required
    }

    var scenario: Load.Scenario
    var gateway: String
    var pacing: LoadPacing
    var duration: Duration?
    var count: Int?
    var products: Int
    var stock: Int
    var quantity: Int
    var reuseShoppers: Bool
    var buyers: Int
    var units: Int
    var signUpConcurrency: Int
    var watch: OrderWatch
    var requestTimeout: Duration
    var adminEmail: String
    var adminPassword: String
    var processCPU: ProcessCPUMode

    /// The pacing as the report names it.
    var pacingDescription: String {
        if scenario == .flashSale { return "\(buyers) buyers for \(units) units" }
        let budget = [duration.map { "for \(LoadReport.fixed($0 / .seconds(1), 0)) s" }, count.map { "at most \($0) iterations" }]
            .compactMap { $0 }.joined(separator: ", ")
        switch pacing {
        case .virtualUsers(let users): return "\(users) virtual users, \(budget)"
        case .rate(let perSecond, let maxInFlight): return "\(LoadReport.fixed(perSecond, 1)) iterations/s (≤ \(maxInFlight) in flight), \(budget)"
        }
    }
}

/// `http://host[:port]`, as `--gateway` takes it.
struct GatewayAddress: Sendable {
    var host: String
    var port: Int

    init?(_ url: String) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty,
              components.path.isEmpty || components.path == "/" else { return nil }
        self.host = host
        port = components.port ?? 80
    }

    /// On this machine, where `/proc` shows the stack's processes.
    var isLoopback: Bool { ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) }

    /// The offset of a `shop up --port-offset` stack whose gateway listens here (seed 8080).
    var stackPortOffset: Int? {
        let offset = port - 8080
        return isLoopback && offset >= 0 ? offset : nil
    }
}
