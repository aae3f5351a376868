import KafkaWire
import LogStore
import NIOCore

extension BrokerRequestHandler {
    /// -1: the log end offset; -2: the log start offset; t ≥ 0: the first record whose timestamp is at
    /// least t, or -1 when there is none. LogStore finds the batch by its max timestamp; only that one
    /// batch is decoded here to find the record.
    func listOffsets(_ request: ListOffsetsRequest, _ context: RequestContext) -> ListOffsetsResponse {
        if context.version == 0 { return listOffsetsV0(request) }
        return ListOffsetsResponse(topics: request.topics.map { topic in
            ListOffsetsResponse.Topic(name: topic.name, partitions: topic.partitions.map { requested in
                guard let partition = topics.partition(topic.name, requested.partitionIndex) else {
                    return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue)
                }
                let log = partition.log
                switch requested.timestamp {
                case -1:
                    return .init(partitionIndex: requested.partitionIndex, timestamp: -1, offset: log.logEndOffset, leaderEpoch: 0)
                case -2:
                    return .init(partitionIndex: requested.partitionIndex, timestamp: -1, offset: log.logStartOffset, leaderEpoch: 0)
                case let timestamp where timestamp >= 0:
                    do {
                        guard let match = try log.firstBatch(atOrAfterTimestamp: timestamp) else {
                            return .init(partitionIndex: requested.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: 0)
                        }
                        let (offset, recordTimestamp) = firstRecord(in: match, atOrAfter: timestamp)
                        return .init(partitionIndex: requested.partitionIndex, timestamp: recordTimestamp,
                                     offset: offset, leaderEpoch: 0)
                    } catch {
                        return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.kafkaStorageError.rawValue)
                    }
                default:
                    return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.invalidRequest.rawValue)
                }
            })
        })
    }

    /// v0's "offsets before": for -1 the log end offset, for -2 the log start offset, for a time the
    /// offset found as in v1; newest first, at most max_num_offsets of them, and the log start offset
    /// after a found offset above it, as Kafka listed segment starts (one segment's worth here).
    private func listOffsetsV0(_ request: ListOffsetsRequest) -> ListOffsetsResponse {
        ListOffsetsResponse(topics: request.topics.map { topic in
            ListOffsetsResponse.Topic(name: topic.name, partitions: topic.partitions.map { requested in
                guard let partition = topics.partition(topic.name, requested.partitionIndex) else {
                    return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue)
                }
                let log = partition.log
                var found: [Int64]
                switch requested.timestamp {
                case -1: found = [log.logEndOffset, log.logStartOffset]
                case -2: found = [log.logStartOffset]
                case let timestamp where timestamp >= 0:
                    guard let match = try? log.firstBatch(atOrAfterTimestamp: timestamp) else {
                        found = [log.logStartOffset]
                        break
                    }
                    found = [firstRecord(in: match, atOrAfter: timestamp).offset, log.logStartOffset]
                default:
                    return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.invalidRequest.rawValue)
                }
                var seen = Set<Int64>()
                found = found.filter { seen.insert($0).inserted }
                return .init(partitionIndex: requested.partitionIndex,
                             oldStyleOffsets: Array(found.prefix(max(0, Int(requested.maxNumOffsets)))))
            })
        })
    }

    /// The exact record inside the matched batch; falls back to the batch's base offset and max
    /// timestamp if the batch cannot be decoded (e.g. a codec the broker does not decompress).
    private func firstRecord(in match: TimestampMatch, atOrAfter timestamp: Int64) -> (offset: Int64, timestamp: Int64) {
        guard let bytes = try? match.region.readBytes() else { return (match.baseOffset, match.maxTimestamp) }
        var buffer = ByteBuffer(bytes: bytes)
        guard let batch = try? RecordBatch.Decoder().decode(from: &buffer) else { return (match.baseOffset, match.maxTimestamp) }
        for record in batch.records where batch.timestamp(of: record) >= timestamp {
            return (batch.offset(of: record), batch.timestamp(of: record))
        }
        return (match.baseOffset, match.maxTimestamp)
    }
}
