import KafkaWire
import NIOCore

extension BrokerRequestHandler {
    func syncGroup(_ request: SyncGroupRequest, _ context: RequestContext) async -> SyncGroupResponse {
        var assignments: [String: [UInt8]] = [:]
        for assignment in request.assignments { assignments[assignment.memberId] = Array(buffer: assignment.assignment) }
        let result = await groups.sync(groupId: request.groupId, generation: request.generationId, memberId: request.memberId,
                                       assignments: assignments)
        return SyncGroupResponse(errorCode: result.error.rawValue, assignment: ByteBuffer(bytes: result.assignment))
    }
}
