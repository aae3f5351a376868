import Foundation
import LogStore
import Synchronization

/// Every topic of the broker, its partitions and their logs, with the topic list persisted in
/// `<data-dir>/topics.json` so that topics (and their configs) survive restarts and power cuts: a
/// CreateTopics or DeleteTopics is answered only after the new list is durable (`DurableFiles.replace`,
/// which fsyncs the directory after the rename).
public final class TopicRegistry: Sendable {
    public struct TopicInfo: Codable, Sendable, Equatable {
        public var name: String
        public var partitionCount: Int32
        public var config: TopicConfig
    }

    public struct Topic: Sendable {
        public let info: TopicInfo
        public let partitions: [Partition]
    }

    public enum TopicError: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidName(String, reason: String)
        case alreadyExists(String)
        case unknownTopic(String)
        case invalidPartitions(Int32)
        case invalidConfig(String)
        case storage(String)

        public var description: String {
            switch self {
            case .invalidName(let name, let reason): "invalid topic name '\(name)': \(reason)"
            case .alreadyExists(let name): "topic '\(name)' already exists"
            case .unknownTopic(let name): "unknown topic '\(name)'"
            case .invalidPartitions(let count): "invalid partition count \(count)"
            case .invalidConfig(let message): message
            case .storage(let message): message
            }
        }
    }

    public let dataDirectory: String
    public let defaults: TopicConfig
    public let defaultPartitions: Int32
    private let topics = Mutex<[String: Topic]>([:])
    /// Serialises create, delete and persistence; lookups only take `topics`.
    private let changes = Mutex<Void>(())

    static let metadataFile = "topics.json"
    static let maximumPartitions: Int32 = 10_000

    public init(dataDirectory: String, defaults: TopicConfig = TopicConfig(), defaultPartitions: Int32 = 1) throws {
        self.dataDirectory = dataDirectory
        self.defaults = defaults
        self.defaultPartitions = defaultPartitions
        try DurableFiles.createDirectory(dataDirectory)
        let path = dataDirectory + "/" + Self.metadataFile
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let infos = try JSONDecoder().decode([TopicInfo].self, from: data)
        var loaded: [String: Topic] = [:]
        for info in infos {
            // The count drives a loop that creates directories: a damaged file must not make it unbounded.
            guard info.partitionCount > 0, info.partitionCount <= Self.maximumPartitions else {
                throw TopicError.storage("\(path): topic '\(info.name)' has \(info.partitionCount) partitions, outside 1...\(Self.maximumPartitions)")
            }
            loaded[info.name] = try Self.openTopic(info, dataDirectory: dataDirectory)
        }
        topics.withLock { $0 = loaded }
    }

    /// Opens (or creates) the topic's partition logs. `fresh` is for a topic being created: a directory
    /// already there is a leftover of a deleted topic whose removal a power cut undid, and its records
    /// must not reappear in the new topic.
    private static func openTopic(_ info: TopicInfo, dataDirectory: String, fresh: Bool = false) throws -> Topic {
        var partitions: [Partition] = []
        for index in 0..<info.partitionCount {
            let directory = partitionDirectory(dataDirectory, info.name, index)
            if fresh { try DurableFiles.removeTree(directory) }
            let log = try PartitionLog.open(directory: directory, config: info.config.logConfig)
            partitions.append(try Partition(topic: info.name, index: index, log: log))
        }
        return Topic(info: info, partitions: partitions)
    }

    static func partitionDirectory(_ dataDirectory: String, _ topic: String, _ index: Int32) -> String {
        "\(dataDirectory)/\(topic)-\(index)"
    }

    /// Kafka's rules: 1–249 characters of [a-zA-Z0-9._-], not "." or "..".
    public static func validate(name: String) throws(TopicError) {
        guard !name.isEmpty else { throw .invalidName(name, reason: "empty") }
        guard name.utf8.count <= 249 else { throw .invalidName(name, reason: "longer than 249 characters") }
        guard name != ".", name != ".." else { throw .invalidName(name, reason: "'.' and '..' are reserved") }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard allowed else { throw .invalidName(name, reason: "only ASCII letters, digits, '.', '_' and '-' are allowed") }
    }

    public func topic(_ name: String) -> Topic? { topics.withLock { $0[name] } }

    public func partition(_ topic: String, _ index: Int32) -> Partition? {
        guard let topic = self.topic(topic), index >= 0, Int(index) < topic.partitions.count else { return nil }
        return topic.partitions[Int(index)]
    }

    public var allTopics: [Topic] { topics.withLock { Array($0.values) }.sorted { $0.info.name < $1.info.name } }

    /// Creates a topic (-1 partitions means the broker default). `validateOnly` checks without creating.
    @discardableResult
    public func create(name: String, partitions requested: Int32 = -1, configs: [String: String] = [:],
                       validateOnly: Bool = false) throws(TopicError) -> TopicInfo {
        try Self.validate(name: name)
        let count = requested == -1 ? defaultPartitions : requested
        guard count > 0, count <= Self.maximumPartitions else { throw .invalidPartitions(requested) }
        var config = defaults
        for (key, value) in configs {
            do { try config.set(key, to: value) } catch { throw .invalidConfig("\(error)") }
        }
        let info = TopicInfo(name: name, partitionCount: count, config: config)
        return try changes.withLock { _ throws(TopicError) -> TopicInfo in
            guard topic(name) == nil else { throw .alreadyExists(name) }
            if validateOnly { return info }
            let topic: Topic
            do { topic = try Self.openTopic(info, dataDirectory: dataDirectory, fresh: true) } catch {
                throw .storage("creating topic '\(name)': \(error)")
            }
            topics.withLock { $0[name] = topic }
            do { try persist() } catch {
                topics.withLock { $0[name] = nil }
                throw .storage("persisting topic '\(name)': \(error)")
            }
            return info
        }
    }

    /// Deletes a topic and its data. Readers holding regions keep reading what they hold.
    public func delete(name: String) async throws(TopicError) {
        let removed = try changes.withLock { _ throws(TopicError) -> Topic in
            guard let topic = topics.withLock({ $0.removeValue(forKey: name) }) else { throw .unknownTopic(name) }
            do { try persist() } catch { throw .storage("persisting after deleting '\(name)': \(error)") }
            return topic
        }
        for partition in removed.partitions {
            try? await partition.log.close()
            // Best effort: the topic is already gone from the durable list; a directory left behind is
            // cleared if a topic of the same name is created again.
            try? DurableFiles.removeTree(partition.log.directory)
        }
    }

    private func persist() throws {
        let infos = allTopics.map(\.info)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(infos)
        try DurableFiles.replace(dataDirectory + "/" + Self.metadataFile, contents: Array(data))
    }

    /// Flushes and closes every log, marking them clean (graceful shutdown).
    public func closeAll() async {
        for topic in allTopics {
            for partition in topic.partitions { try? await partition.log.close() }
        }
    }

    /// Periodic maintenance: interval flushes and retention. Returns the number of deleted segments.
    @discardableResult
    public func runMaintenance(retention: Bool) -> Int {
        var deleted = 0
        for topic in allTopics {
            for partition in topic.partitions {
                partition.log.flushIfDue()
                if retention { deleted += (try? partition.log.applyRetention().count) ?? 0 }
            }
        }
        return deleted
    }
}
