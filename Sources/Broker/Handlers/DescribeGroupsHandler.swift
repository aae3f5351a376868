import KafkaWire
import NIOCore

extension BrokerRequestHandler {
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
}
