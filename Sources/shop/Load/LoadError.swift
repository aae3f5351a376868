/// Why `shop load` could not run (or stopped): each case says what happened and what to do, in one line.
enum LoadError: Error, CustomStringConvertible {
    /// `--gateway` is not an `http://host:port` URL.
    case invalidGatewayURL(String)
    /// Nothing answered at the gateway (connection refused, timeout): the stack is not running there.
    case gatewayUnreachable(url: String, reason: String)
    /// The gateway answered its health check with something other than 200.
    case gatewayUnhealthy(url: String, status: Int)
    /// `POST /auth/login` refused the admin credentials.
    case adminLoginRefused(email: String, status: Int, message: String)
    /// A set-up call (seeding a product, a warehouse, stock) did not answer as the contract says.
    case setupFailed(step: String, status: Int, message: String)
    /// An answer that should carry a field did not.
    case malformedAnswer(step: String, missing: String)
    /// `--proc-cpu` was asked for, but no process of the stack was found under /proc.
    case stackProcessesNotFound(portOffset: Int)

    var description: String {
        switch self {
        case .invalidGatewayURL(let url):
            "--gateway \(url) is not an http://host:port URL"
        case .gatewayUnreachable(let url, let reason):
            "the gateway at \(url) is unreachable (\(reason)); start the stack with `shop up` or pass --gateway"
        case .gatewayUnhealthy(let url, let status):
            "the gateway at \(url) answered \(status) to GET /health/live; is it the shop's gateway, and ready?"
        case .adminLoginRefused(let email, let status, let message):
            "admin login as \(email) was refused (\(status) \(message)); pass --admin-email/--admin-password (or IAM_ADMIN_EMAIL/IAM_ADMIN_PASSWORD as the stack was started with)"
        case .setupFailed(let step, let status, let message):
            "set-up failed: \(step) answered \(status) \(message)"
                + (status == 429 ? " (rate limited: start the stack with higher GATEWAY_RATE_* / GATEWAY_AUTH_RATE_* / IAM_LOGIN_RATE_*, see `shop load --help`)" : "")
        case .malformedAnswer(let step, let missing):
            "\(step) answered without \(missing); is this the shop's gateway?"
        case .stackProcessesNotFound(let offset):
            "--proc-cpu: no process of a `shop up` stack at port offset \(offset) was found under /proc (another machine or user?)"
        }
    }
}
