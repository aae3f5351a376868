import KafkaWire

extension BrokerRequestHandler {
    /// v0–v2 name one member and answer at the top level; v3+ list members with a result each.
    func leaveGroup(_ request: LeaveGroupRequest, _ context: RequestContext) async -> LeaveGroupResponse {
        if context.version < 3 {
            let code = await groups.leave(groupId: request.groupId, memberIds: [request.memberId]).first ?? .unknownMemberId
            logger.info("LeaveGroup", metadata: ["group": "\(request.groupId)", "member": "\(request.memberId)", "result": "\(code)"])
            return LeaveGroupResponse(errorCode: code.rawValue)
        }
        let codes = await groups.leave(groupId: request.groupId, memberIds: request.members.map(\.memberId))
        logger.info("LeaveGroup", metadata: ["group": "\(request.groupId)", "members": "\(request.members.map(\.memberId))"])
        return LeaveGroupResponse(members: zip(request.members, codes).map {
            .init(memberId: $0.0.memberId, groupInstanceId: $0.0.groupInstanceId, errorCode: $0.1.rawValue)
        })
    }
}
