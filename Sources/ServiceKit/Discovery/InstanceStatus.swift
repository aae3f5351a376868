/// The health status an instance reports to the registry (Eureka's vocabulary).
public enum InstanceStatus: String, Codable, Sendable, CaseIterable {
    /// The statuses in any case (the registry reads `up` as `UP`), as a regular expression for documents.
    public static var anyCasePattern: String {
        allCases.map { status in
            status.rawValue.map { character in
                character.isLetter ? "[\(character.uppercased())\(character.lowercased())]" : String(character)
            }.joined()
        }.joined(separator: "|")
    }

    case up = "UP"
    case down = "DOWN"
    case starting = "STARTING"
    case outOfService = "OUT_OF_SERVICE"
}
