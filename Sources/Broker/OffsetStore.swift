import Foundation
import LogStore
import Synchronization

/// Committed consumer-group offsets, durable across restarts and power cuts: an append-only file of
/// JSON lines (`<dir>/consumer-offsets.jsonl`), fdatasynced before a commit is acknowledged and compacted
/// at start-up. The compacted file replaces the old one durably (`DurableFiles.replace`, directory
/// fsynced) before the first append: otherwise a power cut could bring back the old file's name, and
/// with it lose every commit appended to the new one. A torn last line after a crash is ignored (and
/// counted in `skippedLines`): its commit was never acknowledged.
///
/// The same file holds each group's generation and members (`GroupRecord`, a line `{"gm": …}`), so
/// that groups survive a restart as Kafka's do; compaction keeps the latest record per group.
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

    private struct GroupLine: Codable {
        var gm: GroupRecord
    }

    public enum StoreError: Error, Sendable, CustomStringConvertible {
        case io(String)
        public var description: String { switch self { case .io(let message): message } }
    }

    private let path: String
    /// Lines of the file that did not decode at start-up (a torn tail); the broker logs them.
    public let skippedLines: Int
    /// Each group's latest record as found at start-up, for the coordinator to restore.
    public let restoredGroups: [GroupRecord]
    private let offsets: Mutex<[Key: Committed]>
    /// The file descriptor is only used on `queue`, which serialises writes and fsyncs.
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "broker.offset-store")

    public init(directory: String) throws {
        try DurableFiles.createDirectory(directory)
        path = directory + "/consumer-offsets.jsonl"
        var loaded: [Key: Committed] = [:]
        var skipped = 0
        var groupRecords: [String: GroupRecord] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let entry = try? decoder.decode(Line.self, from: Data(line)) {
                    loaded[Key(group: entry.g, topic: entry.t, partition: entry.p)] = entry.c
                } else if let entry = try? decoder.decode(GroupLine.self, from: Data(line)) {
                    groupRecords[entry.gm.groupId] = entry.gm
                } else {
                    skipped += 1
                }
            }
        }
        skippedLines = skipped
        restoredGroups = groupRecords.values.sorted { $0.groupId < $1.groupId }
        // Compact: rewrite only the latest offset per key, durably replacing the old file.
        var compacted = Data()
        let encoder = JSONEncoder()
        for (key, value) in loaded.sorted(by: { ($0.key.group, $0.key.topic, $0.key.partition) < ($1.key.group, $1.key.topic, $1.key.partition) }) {
            compacted.append(try encoder.encode(Line(g: key.group, t: key.topic, p: key.partition, c: value)))
            compacted.append(UInt8(ascii: "\n"))
        }
        for record in restoredGroups {
            compacted.append(try encoder.encode(GroupLine(gm: record)))
            compacted.append(UInt8(ascii: "\n"))
        }
        try DurableFiles.replace(path, contents: Array(compacted))
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
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            appendDurably(payload) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
        offsets.withLock { map in
            for entry in entries { map[Key(group: group, topic: entry.topic, partition: entry.partition)] = entry.committed }
        }
    }

    /// Appends a group's record and fdatasyncs it, then calls `completion` (with the error, if any).
    /// Records are written in the order of the calls, so the latest call wins after a restart.
    public func store(_ record: GroupRecord, completion: @escaping @Sendable (StoreError?) -> Void) {
        var line: Data
        do { line = try JSONEncoder().encode(GroupLine(gm: record)) } catch {
            completion(.io("encoding group \(record.groupId): \(error)"))
            return
        }
        line.append(UInt8(ascii: "\n"))
        appendDurably(line, completion: completion)
    }

    /// One append and fdatasync on the serial queue: commits and group records share the file's order.
    private func appendDurably(_ payload: Data, completion: @escaping @Sendable (StoreError?) -> Void) {
        let descriptor = self.descriptor
        let path = self.path
        queue.async {
            let written = payload.withUnsafeBytes { raw in write(descriptor, raw.baseAddress, raw.count) }
            if written != payload.count || fdatasync(descriptor) != 0 {
                completion(.io("appending to \(path): errno \(errno)"))
            } else {
                completion(nil)
            }
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

    /// Groups with committed offsets or a stored record (listed while they have no members).
    public var groups: [String] {
        offsets.withLock { Set($0.keys.map(\.group)).union(restoredGroups.map(\.groupId)).sorted() }
    }

    /// Forgets a deleted topic's offsets in memory (the file is compacted at the next start).
    public func forget(topic: String) {
        offsets.withLock { map in map = map.filter { $0.key.topic != topic } }
    }
}
