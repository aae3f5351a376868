import BrokerClient

/// A named condition `/health/ready` checks; the service is ready when all pass.
public struct ReadinessCheck: Sendable {
    public let name: String
    public let check: @Sendable () async -> Bool

    public init(_ name: String, check: @escaping @Sendable () async -> Bool) {
        self.name = name
        self.check = check
    }

    public static func database(_ database: ServiceDatabase) -> ReadinessCheck {
        ReadinessCheck("database") { await database.isReachable() }
    }

    /// The first bootstrap broker answers ApiVersions within a second.
    public static func broker(bootstrap: String) -> ReadinessCheck {
        ReadinessCheck("broker") {
            for address in bootstrap.split(separator: ",") {
                let parts = address.trimmingCharacters(in: .whitespaces).split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]) else { continue }
                if let connection = try? await BrokerConnection.connect(host: String(parts[0]), port: port, clientId: "readiness", timeout: .seconds(1)) {
                    await connection.close()
                    return true
                }
            }
            return false
        }
    }
}
