import NIOCore

// ListGroups (key 16), v0–v2 (non-flexible). Optional admin API: implemented but not
// advertised (see ApiKey.advertisedVersions).

/// ListGroups request: an empty body at every supported version.
public struct ListGroupsRequest: KafkaMessage {
    public static let apiKey = ApiKey.listGroups

    public init() {}

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (_: inout ByteBuffer) throws(KafkaWireError) in ListGroupsRequest() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
    }
}

/// ListGroups response.
public struct ListGroupsResponse: KafkaMessage {
    public static let apiKey = ApiKey.listGroups

    public struct Group: KafkaWireCodable {
        public var groupId: String
        public var protocolType: String

        public init(groupId: String, protocolType: String) {
            self.groupId = groupId
            self.protocolType = protocolType
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Group(groupId: try b.readKafkaString("group_id"), protocolType: try b.readKafkaString("protocol_type"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(groupId)
            b.writeKafkaString(protocolType)
        }
    }

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.groups = groups
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return ListGroupsResponse(throttleTimeMs: throttle, errorCode: try b.readKafkaInt16("error_code"),
                                      groups: try b.readKafkaArray(of: Group.self, version: version, "groups"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
        buffer.writeKafkaArray(groups, version: version)
    }
}
