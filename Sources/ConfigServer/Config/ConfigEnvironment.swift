/// The answer to `GET /{application}/{profile}[/{label}]`, shaped like Spring Cloud Config's `Environment`
/// plus the merged result: `propertySources` lists the files that exist, most specific first; `properties`
/// is what a service applies (later files in the merge order win).
public struct ConfigEnvironment: Codable, Sendable, Equatable {
    public var name: String
    public var profiles: [String]
    public var label: String
    /// The commit id the label resolved to.
    public var version: String
    public var propertySources: [PropertySource]
    public var properties: [String: String]

    public struct PropertySource: Codable, Sendable, Equatable {
        /// The file's name in the repository (`iam-dev.properties`).
        public var name: String
        public var source: [String: String]
    }

    static let example = ConfigEnvironment(
        name: "iam", profiles: ["dev"], label: "main", version: "3f1c0e5b9a0d4c2e8f7a6b5c4d3e2f1a0b9c8d7e",
        propertySources: [
            PropertySource(name: "iam-dev.properties", source: ["LOG_LEVEL": "debug"]),
            PropertySource(name: "application.properties", source: ["LOG_LEVEL": "info", "LOG_FORMAT": "json"]),
        ],
        properties: ["LOG_LEVEL": "debug", "LOG_FORMAT": "json"])
}
