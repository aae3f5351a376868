import Foundation

/// Where and how a service fetches its configuration, from the environment:
/// - `CONFIG_SERVER_URL` (none by default: no remote configuration), e.g. `http://127.0.0.1:8888`
/// - `SHOP_PROFILE` (default `default`; comma-separated for several) and `CONFIG_LABEL` (default: the
///   server's default label)
/// - `CONFIG_SERVER_OPTIONAL` (default false): start with the environment alone when the server cannot answer
/// - `CONFIG_SERVER_TIMEOUT_SECONDS` (default 5) per attempt, `CONFIG_SERVER_ATTEMPTS` (default 3),
///   `CONFIG_SERVER_RETRY_DELAY_MS` (default 500, doubled after each failed attempt)
public struct RemoteConfigurationSettings: Sendable, Equatable {
    public var serverURL: String
    public var application: String
    public var profile: String
    public var label: String?
    public var optional: Bool
    public var timeout: Duration
    public var attempts: Int
    public var retryDelay: Duration

    /// nil when `CONFIG_SERVER_URL` is not set.
    public init?(environment: [String: String], application: String) throws {
        let env = EnvironmentReader(environment)
        guard let url = env.optional("CONFIG_SERVER_URL") else { return nil }
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw ConfigError.invalid(name: "CONFIG_SERVER_URL", value: url, expected: "an http(s) URL such as http://127.0.0.1:8888")
        }
        serverURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.application = application
        profile = env.string("SHOP_PROFILE", default: "default")
        label = env.optional("CONFIG_LABEL")
        optional = try env.bool("CONFIG_SERVER_OPTIONAL", default: false)
        timeout = try env.seconds("CONFIG_SERVER_TIMEOUT_SECONDS", default: 5)
        attempts = try env.int("CONFIG_SERVER_ATTEMPTS", default: 3, range: 1...20)
        retryDelay = .milliseconds(try env.int("CONFIG_SERVER_RETRY_DELAY_MS", default: 500, range: 0...60_000))
    }

    /// `{url}/{application}/{profile}[/{label}]`, each segment percent-encoded; `/` in a label is sent as
    /// `(_)`, the config server's spelling.
    public var requestURL: String {
        var segments = [application, profile]
        if let label { segments.append(label.replacingOccurrences(of: "/", with: "(_)")) }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return serverURL + "/" + segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
    }
}
