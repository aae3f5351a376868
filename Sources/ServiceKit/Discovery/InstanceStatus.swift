/// The health status an instance reports to the registry (Eureka's vocabulary).
public enum InstanceStatus: String, Codable, Sendable, CaseIterable {
    case up = "UP"
    case down = "DOWN"
    case starting = "STARTING"
    case outOfService = "OUT_OF_SERVICE"
}
