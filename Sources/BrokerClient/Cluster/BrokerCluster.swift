import KafkaWire
import NIOCore

/// What the client knows of the cluster: its brokers, and each topic's partitions and leaders.
public struct ClusterMetadata: Sendable {
    public struct Node: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int
        public var address: String { "\(host):\(port)" }
    }

    public struct Partition: Sendable, Equatable {
        public var index: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var error: KafkaErrorCode?
    }

    public struct Topic: Sendable {
        public var name: String
        public var partitions: [Partition]
        public var error: KafkaErrorCode?
    }

    public var clusterId: String?
    public var controllerId: Int32
    public var nodes: [Int32: Node]
    public var topics: [String: Topic]
}

/// Connections to every broker of a cluster, found from a bootstrap list, with the metadata that
/// says which broker leads which partition. Nothing here assumes a single node: requests go to the
/// partition's leader or the group's coordinator, and stale metadata is refreshed on retriable errors.
public actor BrokerCluster {
    public let clientId: String
    private let bootstrap: [(host: String, port: Int)]
    private var metadata: ClusterMetadata?
    private var connections: [String: Task<BrokerConnection, Error>] = [:]
    private var coordinators: [String: ClusterMetadata.Node] = [:]
    private var closed = false
    public let requestTimeout: Duration

    /// `bootstrap` is a list of HOST:PORT (also accepts one comma-separated string).
    public init(bootstrap: [String], clientId: String = "shop-broker-client", requestTimeout: Duration = .seconds(30))
        throws(BrokerClientError) {
        var parsed: [(String, Int)] = []
        let entries = bootstrap.flatMap { $0.split(separator: ",") }.map { String($0.filter { !$0.isWhitespace }) }
        for entry in entries where !entry.isEmpty {
            guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]),
                  (1...65535).contains(port), colon > entry.startIndex else { throw .invalidAddress(entry) }
            var host = String(entry[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            parsed.append((host, port))
        }
        guard !parsed.isEmpty else { throw .invalidAddress(bootstrap.joined(separator: ",")) }
        self.bootstrap = parsed
        self.clientId = clientId
        self.requestTimeout = requestTimeout
    }

    private init(parsedBootstrap: [(host: String, port: Int)], clientId: String, requestTimeout: Duration) {
        bootstrap = parsedBootstrap
        self.clientId = clientId
        self.requestTimeout = requestTimeout
    }

    /// The same cluster with connections of its own. The broker answers a connection's requests one
    /// at a time (as Kafka does), so a consumer whose JoinGroup waits for the others must not share
    /// a connection with them: each consumer uses a sibling.
    public nonisolated func sibling() -> BrokerCluster {
        BrokerCluster(parsedBootstrap: bootstrap, clientId: clientId, requestTimeout: requestTimeout)
    }

    // MARK: Connections

    /// A connection to `host:port`, shared by every caller; reconnects if the previous one dropped.
    public func connection(host: String, port: Int) async throws(BrokerClientError) -> BrokerConnection {
        guard !closed else { throw .shutDown }
        let address = "\(host):\(port)"
        if let existing = connections[address] {
            if let connection = try? await existing.value, connection.isActive { return connection }
            connections[address] = nil
        }
        let clientId = self.clientId
        let task = Task { try await BrokerConnection.connect(host: host, port: port, clientId: clientId) }
        connections[address] = task
        do {
            return try await task.value
        } catch {
            connections[address] = nil
            throw (error as? BrokerClientError) ?? .connectionFailed(address: address, reason: "\(error)")
        }
    }

    public func connection(to node: ClusterMetadata.Node) async throws(BrokerClientError) -> BrokerConnection {
        try await connection(host: node.host, port: node.port)
    }

    /// Any reachable broker: known nodes first, then the bootstrap list.
    public func anyConnection() async throws(BrokerClientError) -> BrokerConnection {
        var candidates = (metadata?.nodes.values.map { ($0.host, $0.port) } ?? []) + bootstrap
        candidates.shuffle()
        var lastError = BrokerClientError.connectionFailed(address: bootstrap.map { "\($0.host):\($0.port)" }.joined(separator: ","),
                                                           reason: "no broker reachable")
        for (host, port) in candidates {
            do { return try await connection(host: host, port: port) } catch { lastError = error }
        }
        throw lastError
    }

    // MARK: Metadata

    /// Fetches metadata for `topics` (nil: every topic) and remembers it.
    @discardableResult
    public func refreshMetadata(topics: [String]? = nil, allowAutoCreate: Bool = false) async throws(BrokerClientError) -> ClusterMetadata {
        let connection = try await anyConnection()
        let response = try await connection.send(
            .metadata(MetadataRequest(topics: topics, allowAutoTopicCreation: allowAutoCreate)), timeout: requestTimeout)
        guard case .metadata(let answer) = response else { throw .unsupportedApi(.metadata, address: connection.address) }
        var nodes: [Int32: ClusterMetadata.Node] = [:]
        for broker in answer.brokers { nodes[broker.nodeId] = .init(id: broker.nodeId, host: broker.host, port: Int(broker.port)) }
        var known = topics == nil ? [:] : (metadata?.topics ?? [:])
        for topic in answer.topics {
            known[topic.name] = .init(
                name: topic.name,
                partitions: topic.partitions.sorted { $0.partitionIndex < $1.partitionIndex }.map {
                    .init(index: $0.partitionIndex, leader: $0.leaderId, replicas: $0.replicaNodes,
                          error: $0.errorCode == 0 ? nil : KafkaErrorCode(rawValue: $0.errorCode))
                },
                error: topic.errorCode == 0 ? nil : KafkaErrorCode(rawValue: topic.errorCode) ?? .unknownServerError)
        }
        let updated = ClusterMetadata(clusterId: answer.clusterId, controllerId: answer.controllerId, nodes: nodes, topics: known)
        metadata = updated
        return updated
    }

    public var cachedMetadata: ClusterMetadata? { metadata }

    /// The node leading a partition, refreshing metadata once if it is unknown.
    public func leader(topic: String, partition: Int32) async throws(BrokerClientError) -> ClusterMetadata.Node {
        for attempt in 0..<2 {
            if attempt == 1 || metadata?.topics[topic] == nil { try await refreshMetadata(topics: [topic]) }
            guard let current = metadata, let info = current.topics[topic] else { continue }
            if let error = info.error, attempt == 1 { throw .broker(error, context: "metadata for topic '\(topic)'") }
            if let entry = info.partitions.first(where: { $0.index == partition }), entry.leader >= 0,
               let node = current.nodes[entry.leader] {
                return node
            }
        }
        throw .broker(.unknownTopicOrPartition, context: "\(topic)-\(partition)")
    }

    /// The coordinator of a consumer group (FindCoordinator), cached until `forgetCoordinator`.
    public func coordinator(group: String) async throws(BrokerClientError) -> BrokerConnection {
        if let node = coordinators[group] { return try await connection(to: node) }
        let connection = try await anyConnection()
        let response = try await connection.send(.findCoordinator(FindCoordinatorRequest(key: group)), timeout: requestTimeout)
        guard case .findCoordinator(let answer) = response else { throw .unsupportedApi(.findCoordinator, address: connection.address) }
        guard answer.errorCode == 0 else {
            throw .broker(KafkaErrorCode(rawValue: answer.errorCode) ?? .unknownServerError, context: "FindCoordinator for group '\(group)'")
        }
        let node = ClusterMetadata.Node(id: answer.nodeId, host: answer.host, port: Int(answer.port))
        coordinators[group] = node
        return try await self.connection(to: node)
    }

    public func forgetCoordinator(group: String) { coordinators[group] = nil }

    /// Closes every open connection but keeps the cluster usable: the next request reconnects. Requests
    /// in flight fail with `connectionClosed` (tests use this to force a connection drop).
    public func dropConnections() async {
        let open = connections.values
        connections.removeAll()
        for task in open { await (try? task.value)?.close() }
    }

    /// Forgets every cached connection without closing it, so the next caller opens a new one while
    /// requests already written to the old ones are still out (tests: the moment between a drop and
    /// its failures reaching their owners, held open as long as a test needs).
    func forgetConnections() async -> [BrokerConnection] {
        let open = connections.values
        connections.removeAll()
        var forgotten: [BrokerConnection] = []
        for task in open {
            if let connection = try? await task.value { forgotten.append(connection) }
        }
        return forgotten
    }

    /// Closes every connection; later calls throw `shutDown`.
    public func shutdown() async {
        closed = true
        let open = connections.values
        connections.removeAll()
        for task in open { await (try? task.value)?.close() }
    }
}
