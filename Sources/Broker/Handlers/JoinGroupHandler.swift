import KafkaWire
import NIOCore

extension BrokerRequestHandler {
    func joinGroup(_ request: JoinGroupRequest, _ context: RequestContext) async -> JoinGroupResponse {
        let result = await groups.join(GroupCoordinator.JoinRequest(
            groupId: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId,
            clientId: context.clientId, clientHost: context.connection.remoteAddress,
            sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
            protocolType: request.protocolType,
            protocols: request.protocols.map { .init(name: $0.name, metadata: Array(buffer: $0.metadata)) },
            requiresKnownMemberId: context.version >= 4))
        switch result.error {
        case .memberIdRequired:
            logger.debug("JoinGroup: MEMBER_ID_REQUIRED", metadata: ["group": "\(request.groupId)", "member": "\(result.memberId)"])
        case .none:
            logger.info("JoinGroup completed", metadata: [
                "group": "\(request.groupId)", "member": "\(result.memberId)", "generation": "\(result.generation)",
                "leader": "\(result.leader)", "protocol": "\(result.protocolName ?? "")",
            ])
        default:
            logger.debug("JoinGroup refused", metadata: ["group": "\(request.groupId)", "error": "\(result.error)"])
        }
        return JoinGroupResponse(
            errorCode: result.error.rawValue, generationId: result.generation, protocolName: result.protocolName ?? "",
            leader: result.leader, memberId: result.memberId,
            members: result.members.map { .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                                                metadata: ByteBuffer(bytes: $0.metadata)) })
    }
}
