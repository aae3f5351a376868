import Foundation

/// A consumer group's generation and members as of its last completed rebalance (or its emptying): what
/// Kafka stores as the GroupMetadata record in `__consumer_offsets`, kept here beside the committed
/// offsets in `consumer-offsets.jsonl`. After a restart the coordinator restores the group as Stable, with
/// every member's session starting afresh, so members that keep heartbeating within their session timeout
/// carry on with their generation and assignment: no rebalance, and nothing re-read from the last commit.
public struct GroupRecord: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        public var sessionTimeoutMs: Int64
        public var rebalanceTimeoutMs: Int64
        /// The member's metadata for the group's chosen protocol (what a leader's JoinGroup answer lists).
        public var metadata: Data
        public var assignment: Data
    }

    public var groupId: String
    public var generation: Int32
    public var protocolType: String?
    public var protocolName: String?
    public var leader: String?
    /// In join order; empty for a group that has no members (its generation still counts on).
    public var members: [Member]
}
