import NIOCore

// JoinGroup (key 11), v0–v5. Protocol metadata is opaque bytes (ConsumerProtocolSubscription).

/// JoinGroup request.
public struct JoinGroupRequest: KafkaMessage {
    public static let apiKey = ApiKey.joinGroup

    public struct JoinProtocol: KafkaWireCodable {
        public var name: String
        public var metadata: ByteBuffer

        public init(name: String, metadata: ByteBuffer) {
            self.name = name
            self.metadata = metadata
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            JoinProtocol(name: try b.readKafkaString("name"), metadata: try b.readKafkaBytes("metadata"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaBytes(metadata)
        }
    }

    public var groupId: String
    public var sessionTimeoutMs: Int32
    /// v1+; default -1 (v0 has none: use the session timeout in its place).
    public var rebalanceTimeoutMs: Int32
    /// "" on the first join.
    public var memberId: String
    /// v5+; default nil.
    public var groupInstanceId: String?
    public var protocolType: String
    public var protocols: [JoinProtocol]

    public init(groupId: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32 = -1, memberId: String,
                groupInstanceId: String? = nil, protocolType: String, protocols: [JoinProtocol]) {
        self.groupId = groupId
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.protocolType = protocolType
        self.protocols = protocols
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let groupId = try b.readKafkaString("group_id")
            let session = try b.readKafkaInt32("session_timeout_ms")
            let rebalance = version >= 1 ? try b.readKafkaInt32("rebalance_timeout_ms") : -1
            let memberId = try b.readKafkaString("member_id")
            let instance = version >= 5 ? try b.readKafkaNullableString("group_instance_id") : nil
            return JoinGroupRequest(groupId: groupId, sessionTimeoutMs: session, rebalanceTimeoutMs: rebalance, memberId: memberId,
                                    groupInstanceId: instance, protocolType: try b.readKafkaString("protocol_type"),
                                    protocols: try b.readKafkaArray(of: JoinProtocol.self, version: version, "protocols"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(sessionTimeoutMs)
        if version >= 1 { buffer.writeKafkaInt32(rebalanceTimeoutMs) }
        buffer.writeKafkaString(memberId)
        if version >= 5 { buffer.writeKafkaNullableString(groupInstanceId) }
        buffer.writeKafkaString(protocolType)
        buffer.writeKafkaArray(protocols, version: version)
    }
}

/// JoinGroup response. Only the leader's response lists the members.
public struct JoinGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.joinGroup

    public struct Member: KafkaWireCodable {
        public var memberId: String
        /// v5+; default nil.
        public var groupInstanceId: String?
        public var metadata: ByteBuffer

        public init(memberId: String, groupInstanceId: String? = nil, metadata: ByteBuffer) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.metadata = metadata
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let memberId = try b.readKafkaString("member_id")
            let instance = version >= 5 ? try b.readKafkaNullableString("group_instance_id") : nil
            return Member(memberId: memberId, groupInstanceId: instance, metadata: try b.readKafkaBytes("metadata"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(memberId)
            if version >= 5 { b.writeKafkaNullableString(groupInstanceId) }
            b.writeKafkaBytes(metadata)
        }
    }

    /// v2+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// -1 with MEMBER_ID_REQUIRED.
    public var generationId: Int32
    public var protocolName: String
    public var leader: String
    public var memberId: String
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, generationId: Int32 = -1, protocolName: String = "",
                leader: String = "", memberId: String, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationId = generationId
        self.protocolName = protocolName
        self.leader = leader
        self.memberId = memberId
        self.members = members
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 2 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return JoinGroupResponse(
                throttleTimeMs: throttle,
                errorCode: try b.readKafkaInt16("error_code"),
                generationId: try b.readKafkaInt32("generation_id"),
                protocolName: try b.readKafkaString("protocol_name"),
                leader: try b.readKafkaString("leader"),
                memberId: try b.readKafkaString("member_id"),
                members: try b.readKafkaArray(of: Member.self, version: version, "members"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 2 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
        buffer.writeKafkaInt32(generationId)
        buffer.writeKafkaString(protocolName)
        buffer.writeKafkaString(leader)
        buffer.writeKafkaString(memberId)
        buffer.writeKafkaArray(members, version: version)
    }
}
