import KafkaWire
import NIOCore

/// The error code of an error answer whose other fields do not parse.
///
/// Kafka's clients read a group answer's error code and stop there when it is not 0; the fields after
/// it are meaningless then. librdkafka's mock broker (2.0.2) relies on that: it answers a JoinGroup v5
/// error with a null protocol_name and a SyncGroup v3 error with a null assignment, which the protocol
/// declares non-nullable (JoinGroup's protocol_name becomes nullable only in v7, KIP-559). Rejecting the
/// whole answer would lose the error, and with it the retry the error calls for (REBALANCE_IN_PROGRESS:
/// join again; NOT_COORDINATOR: find the coordinator again).
enum ErrorOnlyAnswer {
    static func decode(_ key: ApiKey, _ version: Int16, _ body: ByteBuffer) -> KafkaResponse? {
        switch key {
        case .joinGroup:
            // throttle_time_ms comes first from v2 on.
            guard let code = errorCode(body, at: version >= 2 ? 4 : 0) else { return nil }
            return .joinGroup(JoinGroupResponse(errorCode: code, memberId: ""))
        case .syncGroup:
            // throttle_time_ms comes first from v1 on.
            guard let code = errorCode(body, at: version >= 1 ? 4 : 0) else { return nil }
            return .syncGroup(SyncGroupResponse(errorCode: code))
        default:
            return nil
        }
    }

    /// A non-zero error code at `offset` in the body.
    private static func errorCode(_ body: ByteBuffer, at offset: Int) -> Int16? {
        guard let code = body.getInteger(at: body.readerIndex + offset, as: Int16.self), code != 0 else { return nil }
        return code
    }
}
