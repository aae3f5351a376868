import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Reads a service's instances from the registry (`GET {DISCOVERY_URL}/services/{name}`, the standard
/// envelope around `{"name":…,"instances":[{"url","host","port","status",…}]}`) and caches the answer,
/// failures included, for `ttl`, so a dead registry costs one short call per service and period.
public actor ServiceRegistryClient {
    public let registryURL: String
    public let ttl: Duration
    private let client: HTTPClient
    private let logger: Logger
    private var cache: [String: (instances: [String], fetched: ContinuousClock.Instant)] = [:]
    private var inFlight: [String: Task<[String], Never>] = [:]

    public init(registryURL: String, ttl: Duration, client: HTTPClient, logger: Logger) {
        self.registryURL = registryURL.hasSuffix("/") ? String(registryURL.dropLast()) : registryURL
        self.ttl = ttl
        self.client = client
        self.logger = logger
    }

    /// The base URLs of the UP instances, empty when the registry is unreachable or knows none.
    public func instances(of service: String) async -> [String] {
        if let cached = cache[service], ContinuousClock.now - cached.fetched < ttl { return cached.instances }
        if let task = inFlight[service] { return await task.value }
        let url = "\(registryURL)/services/\(service)"
        let client = client
        let logger = logger
        let task = Task { () -> [String] in
            do {
                return try await Self.fetch(url: url, client: client)
            } catch {
                logger.warning("service registry unavailable; using static upstreams", metadata: ["url": "\(url)", "error": "\(error)"])
                return []
            }
        }
        inFlight[service] = task
        let instances = await task.value
        inFlight[service] = nil
        cache[service] = (instances, .now)
        return instances
    }

    static func fetch(url: String, client: HTTPClient) async throws -> [String] {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
        let body = try await response.body.collect(upTo: 1 << 20)
        if response.status.code == 404 { return [] }
        guard response.status.code == 200 else { throw RegistryError.status(url: url, code: Int(response.status.code)) }
        let envelope: RegistryEnvelope
        do {
            envelope = try JSONDecoder().decode(RegistryEnvelope.self, from: Data(body.readableBytesView))
        } catch {
            throw RegistryError.malformed(url: url, reason: "\(error)")
        }
        return (envelope.data?.instances ?? []).filter(\.isUp).compactMap(\.baseURL)
    }
}

struct RegistryEnvelope: Decodable {
    struct Service: Decodable {
        var name: String?
        var instances: [Instance]?
    }

    struct Instance: Decodable {
        var instanceId: String?
        var host: String?
        var port: Int?
        var url: String?
        var status: String?

        var isUp: Bool { (status ?? "UP").uppercased() == "UP" }

        var baseURL: String? {
            if let url, !url.isEmpty { return url.hasSuffix("/") ? String(url.dropLast()) : url }
            guard let host, !host.isEmpty, let port else { return nil }
            return "http://\(host):\(port)"
        }
    }

    var data: Service?
}

enum RegistryError: Error, CustomStringConvertible {
    case status(url: String, code: Int)
    case malformed(url: String, reason: String)

    var description: String {
        switch self {
        case .status(let url, let code): "\(url) answered HTTP \(code)"
        case .malformed(let url, let reason): "\(url) answered a body that is not the registry envelope: \(reason)"
        }
    }
}
