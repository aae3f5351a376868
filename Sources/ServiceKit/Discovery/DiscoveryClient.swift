import Foundation
import NIOCore
import NIOHTTP1

/// Talks to the service registry (`DISCOVERY_URL`): looks instances up (the gateway) and registers,
/// heartbeats and deregisters (`DiscoveryRegistration`). Every answer is read from the standard envelope.
public struct DiscoveryClient: Sendable {
    public let registryURL: String
    private let http: ServiceHTTPClient

    /// Short deadlines and one retry: the registry is local and callers have their own retry loops.
    public static var defaultPolicy: ServiceHTTPClient.Policy {
        var policy = ServiceHTTPClient.Policy()
        policy.timeout = .seconds(2)
        policy.maxAttempts = 2
        policy.openDuration = .seconds(2)
        return policy
    }

    public init(registryURL: String, http: ServiceHTTPClient = ServiceHTTPClient(policy: DiscoveryClient.defaultPolicy)) {
        self.registryURL = registryURL.hasSuffix("/") ? String(registryURL.dropLast()) : registryURL
        self.http = http
    }

    /// The live instances of `name` (only those `UP` when `onlyUp`); empty when the registry knows none.
    public func instances(of name: String, onlyUp: Bool = false) async throws -> [DiscoveredInstance] {
        let url = "\(registryURL)/services/\(Self.segment(name))" + (onlyUp ? "?status=UP" : "")
        let reply = try await http.execute(.GET, url, headers: Self.acceptJSON)
        if reply.status == 404 { return [] }
        return try Self.decode(DiscoveredService.self, reply, expecting: 200, operation: "look up \(name)", url: url).instances
    }

    /// Every service with at least one live instance.
    public func services() async throws -> [DiscoveredService] {
        let url = "\(registryURL)/services"
        let reply = try await http.execute(.GET, url, headers: Self.acceptJSON)
        return try Self.decode([DiscoveredService].self, reply, expecting: 200, operation: "list services", url: url)
    }

    @discardableResult
    public func register(_ name: String, _ request: InstanceRegistrationRequest) async throws -> DiscoveredInstance {
        let url = "\(registryURL)/services/\(Self.segment(name))/instances"
        let body = ByteBuffer(bytes: try JSONEncoder().encode(request))
        let reply = try await http.execute(.POST, url, headers: Self.sendJSON, body: body)
        return try Self.decode(DiscoveredInstance.self, reply, expecting: 201, operation: "register \(name)", url: url)
    }

    public enum HeartbeatOutcome: Sendable, Equatable {
        case renewed
        /// The registry does not know (or no longer knows) the instance: register again.
        case unknownInstance
    }

    public func heartbeat(_ name: String, instanceId: String, status: InstanceStatus? = nil) async throws -> HeartbeatOutcome {
        let url = "\(registryURL)/services/\(Self.segment(name))/instances/\(Self.segment(instanceId))/heartbeat"
        let body = try status.map { ByteBuffer(bytes: try JSONEncoder().encode(HeartbeatRequest(status: $0))) }
        let reply = try await http.execute(.PUT, url, headers: Self.sendJSON, body: body)
        switch reply.status {
        case 200: return .renewed
        case 404: return .unknownInstance
        default: throw DiscoveryError.unexpectedStatus(operation: "heartbeat \(name)/\(instanceId)", url: url,
                                                       status: reply.status, message: Self.message(reply))
        }
    }

    /// Removes the instance; `false` when the registry did not know it.
    @discardableResult
    public func deregister(_ name: String, instanceId: String) async throws -> Bool {
        let url = "\(registryURL)/services/\(Self.segment(name))/instances/\(Self.segment(instanceId))"
        let reply = try await http.execute(.DELETE, url, headers: Self.acceptJSON)
        switch reply.status {
        case 200: return true
        case 404: return false
        default: throw DiscoveryError.unexpectedStatus(operation: "deregister \(name)/\(instanceId)", url: url,
                                                       status: reply.status, message: Self.message(reply))
        }
    }

    // MARK: envelope decoding

    private struct Reply<Payload: Decodable>: Decodable {
        var status: String
        var code: Int
        var message: String
        var data: Payload?
    }

    private struct MessageOnly: Decodable { var message: String? }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
        }
        return decoder
    }()

    private static func decode<T: Decodable>(_ type: T.Type, _ reply: ServiceHTTPClient.Reply, expecting: Int,
                                             operation: String, url: String) throws -> T {
        guard reply.status == expecting else {
            throw DiscoveryError.unexpectedStatus(operation: operation, url: url, status: reply.status, message: message(reply))
        }
        do {
            let envelope = try decoder.decode(Reply<T>.self, from: Data(reply.body.readableBytesView))
            guard let data = envelope.data else {
                throw DiscoveryError.malformedAnswer(operation: operation, url: url, reason: "the envelope has no data")
            }
            return data
        } catch let error as DiscoveryError {
            throw error
        } catch {
            throw DiscoveryError.malformedAnswer(operation: operation, url: url, reason: String(describing: error))
        }
    }

    private static func message(_ reply: ServiceHTTPClient.Reply) -> String {
        (try? decoder.decode(MessageOnly.self, from: Data(reply.body.readableBytesView)))?.message
            ?? String(decoding: reply.body.readableBytesView.prefix(200), as: UTF8.self)
    }

    /// A path segment: names and ids are validated by the registry to URL-safe characters, but encode anyway.
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    private static let acceptJSON: HTTPHeaders = ["Accept": "application/json"]
    private static let sendJSON: HTTPHeaders = ["Accept": "application/json", "Content-Type": "application/json"]
}

public enum DiscoveryError: Error, CustomStringConvertible, Equatable {
    case unexpectedStatus(operation: String, url: String, status: Int, message: String)
    case malformedAnswer(operation: String, url: String, reason: String)

    public var description: String {
        switch self {
        case .unexpectedStatus(let operation, let url, let status, let message):
            "registry: \(operation) at \(url) answered HTTP \(status): \(message)"
        case .malformedAnswer(let operation, let url, let reason):
            "registry: \(operation) at \(url) answered something unreadable: \(reason)"
        }
    }
}
