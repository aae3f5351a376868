import KafkaWire
import NIOCore

/// The leader's result: member id -> topic -> partitions (ascending). Every member appears,
/// with an empty map when it gets nothing; topics it gets no partition of are left out.
public typealias ConsumerGroupAssignment = [String: [String: [Int32]]]

/// One group member as the leader sees it after JoinGroup.
public struct ConsumerGroupMember: Sendable, Equatable {
    public var memberId: String
    /// KIP-345 static membership id; static members are ordered before dynamic ones.
    public var groupInstanceId: String?
    public var subscription: ConsumerProtocolSubscription

    public init(memberId: String, groupInstanceId: String? = nil, subscription: ConsumerProtocolSubscription) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.subscription = subscription
    }

    /// A member subscribed to `topics` (a version-0 subscription).
    public init(memberId: String, groupInstanceId: String? = nil, topics: [String]) {
        self.init(memberId: memberId, groupInstanceId: groupInstanceId,
                  subscription: ConsumerProtocolSubscription(version: 0, topics: topics))
    }

    /// Decodes the member's JoinGroup metadata (protocol type "consumer").
    public init(_ member: JoinGroupResponse.Member) throws(ConsumerProtocolError) {
        self.init(memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                  subscription: try ConsumerProtocolSubscription.decode(member.metadata))
    }

    public var topics: [String] { subscription.topics }
}

/// A client-side partition assignor of the classic consumer protocol. The group leader runs
/// the one the coordinator selected (by `name`) over every member's subscription; the others
/// only decode what it sends, so members using different client libraries interoperate as
/// long as they offer the same names.
public protocol ConsumerPartitionAssignor: Sendable {
    /// The JoinGroup protocol name, e.g. "range".
    var name: String { get }

    /// Assigns the partitions of every subscribed topic with a known partition count; topics
    /// missing from `partitionCounts` (no metadata yet) are skipped, as Java does.
    func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> ConsumerGroupAssignment
}

extension ConsumerPartitionAssignor {
    /// Runs `assign` and encodes one SyncGroup assignment per member, ordered by member id.
    public func syncGroupAssignments(members: [ConsumerGroupMember], partitionCounts: [String: Int32],
                                     version: Int16 = ConsumerProtocolVersion.latest) -> [SyncGroupRequest.Assignment] {
        assign(members: members, partitionCounts: partitionCounts)
            .sorted { javaStringPrecedes($0.key, $1.key) }
            .map { memberId, partitions in
                SyncGroupRequest.Assignment(
                    memberId: memberId,
                    assignment: ConsumerProtocolAssignment(version: version, partitions: partitions).encoded())
            }
    }
}

/// Java's `String.compareTo` order (UTF-16 code units). It matches the byte order that
/// librdkafka (memcmp) and kafka-python (code points) use except between characters above
/// U+FFFF and those in U+E000...U+FFFF, which never occur in generated member ids.
func javaStringPrecedes(_ a: String, _ b: String) -> Bool {
    a.utf16.lexicographicallyPrecedes(b.utf16)
}

/// Java's `AbstractPartitionAssignor.MemberInfo` order: static members first, by instance id;
/// then dynamic members by member id. Equal instance ids (a broken group) fall back to the
/// member id so the order stays total and deterministic.
func memberPrecedes(_ a: ConsumerGroupMember, _ b: ConsumerGroupMember) -> Bool {
    switch (a.groupInstanceId, b.groupInstanceId) {
    case let (x?, y?):
        if x != y { return javaStringPrecedes(x, y) }
        return javaStringPrecedes(a.memberId, b.memberId)
    case (.some, nil):
        return true
    case (nil, .some):
        return false
    case (nil, nil):
        return javaStringPrecedes(a.memberId, b.memberId)
    }
}

/// The members with duplicate member ids dropped (first wins): Java receives them as map keys.
func uniqueMembers(_ members: [ConsumerGroupMember]) -> [ConsumerGroupMember] {
    var seen = Set<String>()
    return members.filter { seen.insert($0.memberId).inserted }
}
