/// Why a service could not get its configuration from the config server; each message names the URL and
/// says what to do.
public enum RemoteConfigurationError: Error, Sendable, CustomStringConvertible {
    /// No answer (connection refused, timeout, 5xx) after every attempt.
    case unreachable(url: String, attempts: Int, lastFailure: String)
    /// The server answered, but refused the request (unknown label 404, invalid name 400…); not retried.
    case rejected(url: String, status: Int, message: String)
    /// A 200 whose body is not the configuration envelope.
    case invalidResponse(url: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let attempts, let lastFailure):
            "the config server did not answer GET \(url) after \(attempts) attempt(s) (last: \(lastFailure)). "
                + "Start it (shop serve config), correct CONFIG_SERVER_URL, or set CONFIG_SERVER_OPTIONAL=true to start with the environment alone."
        case .rejected(let url, let status, let message):
            "the config server refused GET \(url) with \(status): \(message). "
                + "Check the application name, SHOP_PROFILE and CONFIG_LABEL, or set CONFIG_SERVER_OPTIONAL=true to start with the environment alone."
        case .invalidResponse(let url, let reason):
            "the config server's answer to GET \(url) is not a configuration: \(reason). Is CONFIG_SERVER_URL the config server?"
        }
    }
}
