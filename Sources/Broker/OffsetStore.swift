import Foundation
import Synchronization

/// Committed consumer-group offsets, durable across restarts: an append-only file of JSON lines
/// (`<dir>/consumer-offsets.jsonl`), fsynced before a commit is acknowledged and compacted at start-up.
/// A torn last line after a crash is ignored: its commit was never acknowledged.
public final class OffsetStore: Sendable {
    public struct Key: Hashable, Sendable {
        public var group: String
        public var topic: String
        public var partition: Int32
        public init(group: String, topic: String, partition: Int32) {
            self.group = group
            self.topic = topic
            self.partition = partition
        }
    }

    public struct Committed: Codable, Sendable, Equatable {
        public var offset: Int64
        public var leaderEpoch: Int32
        public var metadata: String?
        public var commitTimestamp: Int64
        public init(offset: Int64, leaderEpoch: Int32 = -1, metadata: String?, commitTimestamp: Int64) {
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.metadata = metadata
            self.commitTimestamp = commitTimestamp
        }
    }

    private struct Line: Codable {
        var g: String
        var t: String
        var p: Int32
        var c: Committed
    }

    public enum StoreError: Error, Sendable, CustomStringConvertible {
        case io(String)
        public var description: String { switch self { case .io(let message): message } }
    }

    private let path: String
    private let offsets: Mutex<[Key: Committed]>
    /// The file descriptor is only used on `queue`, which serialises writes and fsyncs.
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "broker.offset-store")

    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/consumer-offsets.jsonl"
        var loaded: [Key: Committed] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let entry = try? decoder.decode(Line.self, from: Data(line)) else { continue }
                loaded[Key(group: entry.g, topic: entry.t, partition: entry.p)] = entry.c
            }
        }
        // Compact: rewrite only the latest offset per key, through a temporary file and rename.
        let temporary = path + ".tmp"
        var compacted = Data()
        let encoder = JSONEncoder()
        for (key, value) in loaded.sorted(by: { ($0.key.group, $0.key.topic, $0.key.partition) < ($1.key.group, $1.key.topic, $1.key.partition) }) {
            compacted.append(try encoder.encode(Line(g: key.group, t: key.topic, p: key.partition, c: value)))
            compacted.append(UInt8(ascii: "\n"))
        }
        guard FileManager.default.createFile(atPath: temporary, contents: compacted) else { throw StoreError.io("cannot write \(temporary)") }
        let temporaryDescriptor = open(temporary, O_RDWR | O_CLOEXEC)
        guard temporaryDescriptor >= 0, fsync(temporaryDescriptor) == 0 else { throw StoreError.io("fsync \(temporary): errno \(errno)") }
        close(temporaryDescriptor)
        guard rename(temporary, path) == 0 else { throw StoreError.io("rename \(temporary): errno \(errno)") }
        descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io("open \(path): errno \(errno)") }
        offsets = Mutex(loaded)
    }

    deinit { close(descriptor) }

    /// Appends and fsyncs the commits, then makes them visible. Throws if the disk refused them.
    public func commit(group: String, _ entries: [(topic: String, partition: Int32, committed: Committed)]) async throws {
        guard !entries.isEmpty else { return }
        var data = Data()
        let encoder = JSONEncoder()
        for entry in entries {
            data.append(try encoder.encode(Line(g: group, t: entry.topic, p: entry.partition, c: entry.committed)))
            data.append(UInt8(ascii: "\n"))
        }
        let payload = data
        let descriptor = self.descriptor
        let path = self.path
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queue.async {
                let written = payload.withUnsafeBytes { raw in write(descriptor, raw.baseAddress, raw.count) }
                if written != payload.count || fdatasync(descriptor) != 0 {
                    continuation.resume(throwing: StoreError.io("appending offsets to \(path): errno \(errno)"))
                } else {
                    continuation.resume()
                }
            }
        }
        offsets.withLock { map in
            for entry in entries { map[Key(group: group, topic: entry.topic, partition: entry.partition)] = entry.committed }
        }
    }

    public func committed(group: String, topic: String, partition: Int32) -> Committed? {
        offsets.withLock { $0[Key(group: group, topic: topic, partition: partition)] }
    }

    /// Every committed offset of a group (OffsetFetch with topics = null, lag reports).
    public func all(group: String) -> [(topic: String, partition: Int32, committed: Committed)] {
        offsets.withLock { map in
            map.filter { $0.key.group == group }
                .map { (topic: $0.key.topic, partition: $0.key.partition, committed: $0.value) }
                .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        }
    }

    public var groups: [String] { offsets.withLock { Set($0.keys.map(\.group)).sorted() } }

    /// Forgets a deleted topic's offsets in memory (the file is compacted at the next start).
    public func forget(topic: String) {
        offsets.withLock { map in map = map.filter { $0.key.topic != topic } }
    }
}
