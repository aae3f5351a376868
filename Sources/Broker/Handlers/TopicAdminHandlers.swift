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

    func deleteTopics(_ request: DeleteTopicsRequest, _ context: RequestContext) async -> DeleteTopicsResponse {
        var results: [DeleteTopicsResponse.Result] = []
        for name in request.topicNames {
            do throws(TopicRegistry.TopicError) {
                try await topics.delete(name: name)
                offsets.forget(topic: name)
                logger.info("deleted topic", metadata: ["topic": "\(name)"])
                results.append(.init(name: name))
            } catch {
                results.append(.init(name: name, errorCode: Self.code(for: error).rawValue))
            }
        }
        return DeleteTopicsResponse(responses: results)
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

    func initProducerId(_ request: InitProducerIdRequest, _ context: RequestContext) -> InitProducerIdResponse {
        do {
            let id = try producerIds.allocate()
            logger.debug("InitProducerId", metadata: ["producer_id": "\(id)", "client": "\(context.clientId)"])
            return InitProducerIdResponse(producerId: id, producerEpoch: 0)
        } catch {
            logger.error("allocating a producer id failed", metadata: ["error": "\(error)"])
            return InitProducerIdResponse(errorCode: KafkaErrorCode.kafkaStorageError.rawValue, producerId: -1, producerEpoch: -1)
        }
    }
}
