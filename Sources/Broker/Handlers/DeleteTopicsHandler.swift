import KafkaWire

extension BrokerRequestHandler {
    func deleteTopics(_ request: DeleteTopicsRequest, _ context: RequestContext) async -> DeleteTopicsResponse {
        var results: [DeleteTopicsResponse.Result] = []
        for name in request.topicNames {
            do throws(TopicRegistry.TopicError) {
                try await topics.delete(name: name)
                offsets.forget(topic: name)
                appendSignal.forget(topic: name)
                logger.info("deleted topic", metadata: ["topic": "\(name)"])
                results.append(.init(name: name))
            } catch {
                results.append(.init(name: name, errorCode: Self.code(for: error).rawValue))
            }
        }
        return DeleteTopicsResponse(responses: results)
    }
}
