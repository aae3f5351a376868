import KafkaWire

extension BrokerRequestHandler {
    func listGroups(_ request: ListGroupsRequest, _ context: RequestContext) async -> ListGroupsResponse {
        ListGroupsResponse(groups: await groups.list().map { .init(groupId: $0.groupId, protocolType: $0.protocolType) })
    }
}
