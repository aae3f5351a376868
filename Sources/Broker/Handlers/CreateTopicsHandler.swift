import KafkaWire

extension BrokerRequestHandler {
    func createTopics(_ request: CreateTopicsRequest, _ context: RequestContext) -> CreateTopicsResponse {
        CreateTopicsResponse(topics: request.topics.map { topic in
            // One node: only replication factor 1 (or -1, the default) can be honoured.
            guard topic.replicationFactor == 1 || topic.replicationFactor == -1 else {
                return .init(name: topic.name, errorCode: KafkaErrorCode.invalidReplicationFactor.rawValue,
                             errorMessage: "replication factor must be 1 on a single-node broker")
            }
            guard topic.assignments.isEmpty else {
                return .init(name: topic.name, errorCode: KafkaErrorCode.invalidRequest.rawValue,
                             errorMessage: "manual replica assignment is not supported")
            }
            var configs: [String: String] = [:]
            for config in topic.configs { if let value = config.value { configs[config.name] = value } }
            do throws(TopicRegistry.TopicError) {
                try topics.create(name: topic.name, partitions: topic.numPartitions, configs: configs,
                                  validateOnly: request.validateOnly)
                if !request.validateOnly {
                    logger.info("created topic", metadata: ["topic": "\(topic.name)", "partitions": "\(topic.numPartitions)"])
                }
                return .init(name: topic.name)
            } catch {
                return .init(name: topic.name, errorCode: Self.code(for: error).rawValue, errorMessage: "\(error)")
            }
        })
    }

    static func code(for error: TopicRegistry.TopicError) -> KafkaErrorCode {
        switch error {
        case .invalidName: .invalidTopicException
        case .alreadyExists: .topicAlreadyExists
        case .unknownTopic: .unknownTopicOrPartition
        case .invalidPartitions: .invalidPartitions
        case .invalidConfig: .invalidConfig
        case .storage: .kafkaStorageError
        }
    }
}
