import KafkaWire
import NIOCore

extension BrokerRequestHandler {
    func findCoordinator(_ request: FindCoordinatorRequest, _ context: RequestContext) -> FindCoordinatorResponse {
        guard request.keyType == 0 else {
            return FindCoordinatorResponse(errorCode: KafkaErrorCode.coordinatorNotAvailable.rawValue,
                                           errorMessage: "transactions are not supported", nodeId: -1, host: "", port: -1)
        }
        return FindCoordinatorResponse(nodeId: config.nodeId, host: config.effectiveAdvertisedHost,
                                       port: Int32(config.effectiveAdvertisedPort))
    }

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

    func syncGroup(_ request: SyncGroupRequest, _ context: RequestContext) async -> SyncGroupResponse {
        var assignments: [String: [UInt8]] = [:]
        for assignment in request.assignments { assignments[assignment.memberId] = Array(buffer: assignment.assignment) }
        let result = await groups.sync(groupId: request.groupId, generation: request.generationId, memberId: request.memberId,
                                       assignments: assignments)
        return SyncGroupResponse(errorCode: result.error.rawValue, assignment: ByteBuffer(bytes: result.assignment))
    }

    func heartbeat(_ request: HeartbeatRequest, _ context: RequestContext) async -> HeartbeatResponse {
        HeartbeatResponse(errorCode: await groups.heartbeat(groupId: request.groupId, generation: request.generationId,
                                                            memberId: request.memberId).rawValue)
    }

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

    func describeGroups(_ request: DescribeGroupsRequest, _ context: RequestContext) async -> DescribeGroupsResponse {
        var described: [DescribeGroupsResponse.Group] = []
        for id in request.groups {
            guard let group = await groups.describe(groupId: id) else {
                described.append(.init(groupId: id, groupState: GroupCoordinator.State.dead.rawValue, protocolType: "",
                                       protocolData: "", members: []))
                continue
            }
            described.append(.init(groupId: id, groupState: group.state.rawValue, protocolType: group.protocolType,
                                   protocolData: group.protocolName, members: group.members.map {
                                       .init(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                                             clientHost: $0.clientHost, memberMetadata: ByteBuffer(bytes: $0.metadata),
                                             memberAssignment: ByteBuffer(bytes: $0.assignment))
                                   }))
        }
        return DescribeGroupsResponse(groups: described)
    }

    func listGroups(_ request: ListGroupsRequest, _ context: RequestContext) async -> ListGroupsResponse {
        ListGroupsResponse(groups: await groups.list().map { .init(groupId: $0.groupId, protocolType: $0.protocolType) })
    }
}
