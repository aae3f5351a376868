import KafkaWire
import LogStore

extension BrokerRequestHandler {
    /// -1: the log end offset; -2: the log start offset; t ≥ 0: the first batch whose max timestamp is
    /// at least t (batch-grained: LogStore does not decode records), or -1 when there is none.
    func listOffsets(_ request: ListOffsetsRequest, _ context: RequestContext) -> ListOffsetsResponse {
        ListOffsetsResponse(topics: request.topics.map { topic in
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
                        return .init(partitionIndex: requested.partitionIndex, timestamp: match.maxTimestamp,
                                     offset: match.baseOffset, leaderEpoch: 0)
                    } catch {
                        return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.kafkaStorageError.rawValue)
                    }
                default:
                    return .init(partitionIndex: requested.partitionIndex, errorCode: KafkaErrorCode.invalidRequest.rawValue)
                }
            })
        })
    }
}
