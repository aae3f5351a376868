/// Configuration from the config server (`CONFIG_SERVER_URL`), merged under the environment: a key set in
/// the environment always wins. Built in issue 6; today it returns the environment unchanged.
public enum RemoteConfiguration {
    /// The environment a service starts with: the config server's properties for `application` and the
    /// profile in `SHOP_PROFILE` (default `default`), overridden by `environment`.
    public static func merged(environment: [String: String], application: String) async throws -> [String: String] {
        environment
    }
}
