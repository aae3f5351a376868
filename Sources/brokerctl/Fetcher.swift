import BrokerClient
import KafkaWire
import NIOCore

/// One record read by `TopicFetcher`; key, value and headers are slices of the fetched batch.
struct FetchedRecord {
    var partition: Int32
    var offset: Int64
    var timestamp: Int64
    var key: ByteBuffer?
    var value: ByteBuffer?
    var headers: [RecordHeader]
}

/// Where reading starts in each partition.
enum StartPosition: Equatable {
    case earliest
    case latest
    /// Clamped to the partition's [start, end] range.
    case offset(Int64)
    /// Milliseconds since the epoch: the first record at or after it, the end when there is none.
    case timestamp(Int64)
}

/// Reads the partitions of one topic with plain Fetch requests (no group): one request per partition
/// leader per round, records below the asked position skipped, positions and high watermarks tracked
/// so that callers can stop at the end. Used by one task at a time (the decoder keeps buffers).
final class TopicFetcher {
    let cluster: BrokerCluster
    let topic: String
    private(set) var positions: [Int32: Int64] = [:]
    private(set) var highWatermarks: [Int32: Int64] = [:]
    private let decoder = RecordBatch.Decoder()
    /// How long the broker may hold a fetch when there is nothing new (0 when the caller stops at the end).
    var maxWaitMs: Int32 = 500
    var partitionMaxBytes: Int32 = 1 << 20
    var maxBytes: Int32 = 64 << 20
    private var leaderErrors = 0

    init(cluster: BrokerCluster, topic: String) {
        self.cluster = cluster
        self.topic = topic
    }

    /// The topic's partitions (or just `only`), failing with a clear message when they do not exist.
    static func partitions(of topic: String, cluster: BrokerCluster, only: Int32? = nil) async throws -> [Int32] {
        let metadata = try await cluster.refreshMetadata(topics: [topic])
        guard let info = metadata.topics[topic], info.error == nil, !info.partitions.isEmpty else {
            let error = metadata.topics[topic]?.error ?? .unknownTopicOrPartition
            throw CtlError.failed("topic '\(topic)': \(error)"
                                  + (error == .unknownTopicOrPartition ? " (no such topic; see `brokerctl topic list`)" : ""))
        }
        let all = info.partitions.map(\.index)
        guard let only else { return all }
        guard all.contains(only) else {
            throw CtlError.failed("topic '\(topic)' has no partition \(only) (it has \(all.count): 0-\(all.count - 1))")
        }
        return [only]
    }

    /// Sets the position of each partition.
    func seek(_ partitions: [Int32], to start: StartPosition) async throws {
        let admin = BrokerAdmin(cluster: cluster)
        switch start {
        case .earliest:
            let starts = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: -2)
            for p in partitions { positions[p] = starts[p] ?? 0 }
        case .latest:
            let ends = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: -1)
            for p in partitions { positions[p] = ends[p] ?? 0 }
        case .offset(let offset):
            let starts = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: -2)
            let ends = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: -1)
            for p in partitions { positions[p] = min(max(offset, starts[p] ?? 0), ends[p] ?? offset) }
        case .timestamp(let time):
            let found = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: time)
            let ends = try await admin.listOffsets(topic: topic, partitions: partitions, timestamp: -1)
            for p in partitions {
                if let offset = found[p], offset >= 0 { positions[p] = offset } else { positions[p] = ends[p] ?? 0 }
            }
        }
    }

    /// Every partition has been read up to the high watermark of its latest fetch.
    var atEnd: Bool {
        positions.allSatisfy { partition, position in highWatermarks[partition].map { position >= $0 } ?? false }
    }

    /// Records still to read up to the last known high watermarks (for progress lines).
    var remaining: Int64 {
        positions.reduce(0) { total, entry in total + max(0, (highWatermarks[entry.key] ?? entry.value) - entry.value) }
    }

    /// One round of Fetch requests, one per leader, sent concurrently. Returns the new records in
    /// partition and offset order, their key+value bytes, and how long the round took.
    func fetch() async throws -> (records: [FetchedRecord], bytes: Int, latency: Duration) {
        var byLeader: [ClusterMetadata.Node: [Int32]] = [:]
        for partition in positions.keys.sorted() {
            byLeader[try await cluster.leader(topic: topic, partition: partition), default: []].append(partition)
        }
        let requests = byLeader.map { node, partitions in
            (node, FetchRequest(maxWaitMs: maxWaitMs, minBytes: 1, maxBytes: maxBytes, topics: [
                .init(topic: topic, partitions: partitions.map {
                    .init(partition: $0, fetchOffset: positions[$0] ?? 0, partitionMaxBytes: partitionMaxBytes)
                }),
            ]))
        }
        let cluster = self.cluster
        let started = ContinuousClock.now
        let responses = try await withThrowingTaskGroup(of: FetchResponse.self) { group in
            for (node, request) in requests {
                group.addTask {
                    let connection = try await cluster.connection(to: node)
                    // Long polls must not hit the request timeout.
                    let timeout = await cluster.requestTimeout + .milliseconds(Int64(request.maxWaitMs))
                    guard case .fetch(let response) = try await connection.send(.fetch(request), timeout: timeout) else {
                        throw BrokerClientError.unsupportedApi(.fetch, address: node.address)
                    }
                    return response
                }
            }
            var all: [FetchResponse] = []
            for try await response in group { all.append(response) }
            return all
        }
        let latency = ContinuousClock.now - started

        var records: [FetchedRecord] = []
        var bytes = 0
        var refresh = false
        for response in responses {
            if response.errorCode != 0 {
                throw CtlError.failed("fetching from '\(topic)': broker error \(KafkaErrorCode(rawValue: response.errorCode).map { "\($0)" } ?? "\(response.errorCode)")")
            }
            for partition in response.topics.filter({ $0.topic == topic }).flatMap(\.partitions).sorted(by: { $0.partitionIndex < $1.partitionIndex }) {
                let index = partition.partitionIndex
                guard var position = positions[index] else { continue }
                if partition.errorCode != 0 {
                    let code = KafkaErrorCode(rawValue: partition.errorCode) ?? .unknownServerError
                    switch code {
                    case .offsetOutOfRange:
                        let admin = BrokerAdmin(cluster: cluster)
                        let start = try await admin.listOffsets(topic: topic, partitions: [index], timestamp: -2)[index] ?? 0
                        let end = try await admin.listOffsets(topic: topic, partitions: [index], timestamp: -1)[index] ?? 0
                        let reset = position < start ? start : end
                        Output.error("warning: offset \(position) is out of range for \(topic)-\(index) [\(start), \(end)]; continuing at \(reset)")
                        positions[index] = reset
                        continue
                    case .notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .kafkaStorageError, .requestTimedOut:
                        leaderErrors += 1
                        if leaderErrors > 50 {
                            throw CtlError.failed("fetching \(topic)-\(index): broker error \(code) persists (was the topic deleted?)")
                        }
                        refresh = true
                        continue
                    default:
                        throw CtlError.failed("fetching \(topic)-\(index): broker error \(code) (\(code.rawValue))")
                    }
                }
                highWatermarks[index] = partition.highWatermark
                guard var buffer = partition.records, buffer.readableBytes > 0 else { continue }
                let batches: [RecordBatch]
                do {
                    batches = try decoder.decodeBatches(from: &buffer)
                } catch {
                    throw CtlError.failed("corrupt record batch in \(topic)-\(index) near offset \(position): \(error)")
                }
                if batches.isEmpty {
                    // Only part of a batch fit: ask for more bytes next time.
                    partitionMaxBytes = min(maxBytes, partitionMaxBytes &* 2)
                    continue
                }
                for batch in batches where batch.lastOffset >= position {
                    if !batch.isControl {
                        for record in batch.records {
                            let offset = batch.offset(of: record)
                            guard offset >= position else { continue }
                            records.append(FetchedRecord(partition: index, offset: offset, timestamp: batch.timestamp(of: record),
                                                         key: record.key, value: record.value, headers: record.headers))
                            bytes += (record.key?.readableBytes ?? 0) + (record.value?.readableBytes ?? 0)
                        }
                    }
                    position = batch.lastOffset + 1
                }
                positions[index] = position
            }
        }
        if refresh {
            _ = try? await cluster.refreshMetadata(topics: [topic])
            try await Task.sleep(for: .milliseconds(100))
        } else {
            leaderErrors = 0
        }
        return (records, bytes, latency)
    }
}
