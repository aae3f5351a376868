import KafkaWire

extension BrokerRequestHandler {
    /// One broker (this node, at its advertised address) leads every partition. Unknown topics are
    /// created when the request allows it (always before v4) and auto-creation is enabled.
    func metadata(_ request: MetadataRequest, _ context: RequestContext) -> MetadataResponse {
        let node = config.nodeId
        var names: [String]
        if let requested = request.topics, !(context.version == 0 && requested.isEmpty) {
            names = requested
        } else {
            names = topics.allTopics.map(\.info.name)
        }
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        let mayCreate = config.autoCreateTopics && (context.version < 4 || request.allowAutoTopicCreation)
        let topicEntries = names.map { name -> MetadataResponse.Topic in
            var topic = topics.topic(name)
            if topic == nil, mayCreate {
                do {
                    try topics.create(name: name)
                    logger.info("auto-created topic", metadata: ["topic": "\(name)", "client": "\(context.clientId)"])
                } catch TopicRegistry.TopicError.alreadyExists {
                    // created concurrently by another request
                } catch TopicRegistry.TopicError.invalidName {
                    return MetadataResponse.Topic(errorCode: KafkaErrorCode.invalidTopicException.rawValue, name: name, partitions: [])
                } catch {
                    logger.error("auto-creating topic failed", metadata: ["topic": "\(name)", "error": "\(error)"])
                }
                topic = topics.topic(name)
            }
            guard let topic else {
                return MetadataResponse.Topic(errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue, name: name, partitions: [])
            }
            return MetadataResponse.Topic(name: name, partitions: topic.partitions.map { partition in
                MetadataResponse.Partition(partitionIndex: partition.index, leaderId: node, leaderEpoch: 0,
                                           replicaNodes: [node], isrNodes: [node])
            })
        }
        return MetadataResponse(
            brokers: [.init(nodeId: node, host: config.effectiveAdvertisedHost, port: Int32(config.effectiveAdvertisedPort))],
            clusterId: config.clusterId, controllerId: node, topics: topicEntries)
    }
}
