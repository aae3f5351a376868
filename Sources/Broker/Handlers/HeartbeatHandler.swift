import KafkaWire

extension BrokerRequestHandler {
    func heartbeat(_ request: HeartbeatRequest, _ context: RequestContext) async -> HeartbeatResponse {
        HeartbeatResponse(errorCode: await groups.heartbeat(groupId: request.groupId, generation: request.generationId,
                                                            memberId: request.memberId).rawValue)
    }
}
