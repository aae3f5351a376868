import NIOCore

// DescribeGroups (key 15), v0–v4 (non-flexible). Optional admin API: implemented but not
// advertised (see ApiKey.advertisedVersions).

/// DescribeGroups request.
public struct DescribeGroupsRequest: KafkaMessage {
    public static let apiKey = ApiKey.describeGroups

    public var groups: [String]
    /// v3+; default false.
    public var includeAuthorizedOperations: Bool

    public init(groups: [String], includeAuthorizedOperations: Bool = false) {
        self.groups = groups
        self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = DescribeGroupsRequest(groups: try b.readKafkaStringArray("groups"))
            if version >= 3 { r.includeAuthorizedOperations = try b.readKafkaBool("include_authorized_operations") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaStringArray(groups)
        if version >= 3 { buffer.writeKafkaBool(includeAuthorizedOperations) }
    }
}

/// DescribeGroups response.
public struct DescribeGroupsResponse: KafkaMessage {
    public static let apiKey = ApiKey.describeGroups

    public struct Member: KafkaWireCodable {
        public var memberId: String
        /// v4+; default nil.
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var memberMetadata: ByteBuffer
        public var memberAssignment: ByteBuffer

        public init(memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
                    memberMetadata: ByteBuffer = ByteBuffer(), memberAssignment: ByteBuffer = ByteBuffer()) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.memberMetadata = memberMetadata
            self.memberAssignment = memberAssignment
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let memberId = try b.readKafkaString("member_id")
            let instance = version >= 4 ? try b.readKafkaNullableString("group_instance_id") : nil
            return Member(memberId: memberId, groupInstanceId: instance,
                          clientId: try b.readKafkaString("client_id"), clientHost: try b.readKafkaString("client_host"),
                          memberMetadata: try b.readKafkaBytes("member_metadata"),
                          memberAssignment: try b.readKafkaBytes("member_assignment"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(memberId)
            if version >= 4 { b.writeKafkaNullableString(groupInstanceId) }
            b.writeKafkaString(clientId)
            b.writeKafkaString(clientHost)
            b.writeKafkaBytes(memberMetadata)
            b.writeKafkaBytes(memberAssignment)
        }
    }

    public struct Group: KafkaWireCodable {
        public var errorCode: Int16
        public var groupId: String
        public var groupState: String
        public var protocolType: String
        public var protocolData: String
        public var members: [Member]
        /// v3+; default Int32.min.
        public var authorizedOperations: Int32

        public init(errorCode: Int16 = 0, groupId: String, groupState: String, protocolType: String, protocolData: String,
                    members: [Member], authorizedOperations: Int32 = Int32.min) {
            self.errorCode = errorCode
            self.groupId = groupId
            self.groupState = groupState
            self.protocolType = protocolType
            self.protocolData = protocolData
            self.members = members
            self.authorizedOperations = authorizedOperations
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var g = Group(errorCode: try b.readKafkaInt16("error_code"),
                          groupId: try b.readKafkaString("group_id"),
                          groupState: try b.readKafkaString("group_state"),
                          protocolType: try b.readKafkaString("protocol_type"),
                          protocolData: try b.readKafkaString("protocol_data"),
                          members: try b.readKafkaArray(of: Member.self, version: version, "members"))
            if version >= 3 { g.authorizedOperations = try b.readKafkaInt32("authorized_operations") }
            return g
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt16(errorCode)
            b.writeKafkaString(groupId)
            b.writeKafkaString(groupState)
            b.writeKafkaString(protocolType)
            b.writeKafkaString(protocolData)
            b.writeKafkaArray(members, version: version)
            if version >= 3 { b.writeKafkaInt32(authorizedOperations) }
        }
    }

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return DescribeGroupsResponse(throttleTimeMs: throttle, groups: try b.readKafkaArray(of: Group.self, version: version, "groups"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(groups, version: version)
    }
}
