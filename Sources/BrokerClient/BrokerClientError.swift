import KafkaWire

/// Every failure the client reports, with the context needed to act on it.
public enum BrokerClientError: Error, Sendable, CustomStringConvertible {
    /// No connection could be made to any of these addresses.
    case connectionFailed(address: String, reason: String)
    /// The connection closed while requests were outstanding.
    case connectionClosed(address: String)
    /// No answer within the deadline.
    case timedOut(operation: String, address: String)
    /// The broker does not support any version of this API that the client speaks.
    case unsupportedApi(ApiKey, address: String)
    /// The broker's answer could not be decoded.
    case malformedResponse(ApiKey, KafkaWireError)
    /// The broker answered with an error code.
    case broker(KafkaErrorCode, context: String)
    /// A bootstrap or advertised address is not HOST:PORT.
    case invalidAddress(String)
    /// The request cannot be made as asked (e.g. reset offsets of a group that has members).
    case invalidRequest(String)
    /// The client was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .connectionFailed(let address, let reason): "cannot connect to \(address): \(reason)"
        case .connectionClosed(let address): "connection to \(address) closed with requests outstanding"
        case .timedOut(let operation, let address): "\(operation) to \(address) timed out"
        case .unsupportedApi(let key, let address): "broker \(address) supports no version of \(key) this client speaks"
        case .malformedResponse(let key, let error): "malformed \(key) response: \(error)"
        case .broker(let code, let context): "\(context): broker error \(code) (\(code.rawValue))"
        case .invalidAddress(let text): "'\(text)' is not HOST:PORT"
        case .invalidRequest(let message): message
        case .shutDown: "the client is shut down"
        }
    }

    /// Errors after which a metadata refresh and a retry can succeed.
    public var isRetriable: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .timedOut: true
        case .broker(let code, _):
            [.notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .requestTimedOut,
             .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator, .networkException,
             .notEnoughReplicas, .kafkaStorageError].contains(code)
        default: false
        }
    }
}
