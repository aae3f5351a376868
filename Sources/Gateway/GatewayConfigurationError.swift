/// A gateway setting that cannot be used; start-up fails with this message.
public enum GatewayConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalidPattern(String, reason: String)
    case invalidRoute(String, reason: String)
    case invalidUpstreamURL(variable: String, value: String)

    public var description: String {
        switch self {
        case .invalidPattern(let pattern, let reason): "route pattern `\(pattern)` is invalid: \(reason)"
        case .invalidRoute(let entry, let reason): "GATEWAY_ROUTES entry `\(entry)` is invalid: \(reason)"
        case .invalidUpstreamURL(let variable, let value): "\(variable)=\(value) is invalid: expected comma-separated http(s)://host:port URLs"
        }
    }
}
