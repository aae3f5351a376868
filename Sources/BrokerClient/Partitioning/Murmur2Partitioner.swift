import NIOCore

/// Picks a record's partition like the Java producer's default partitioner, so keyed records
/// written by this client, the Java client and kafka-python land on the same partition.
///
/// - Keyed records: `toPositive(murmur2(key)) % partitionCount` over *all* partitions, available
///   or not (as Java does: a key must never move because a leader is briefly down).
/// - Null keys: "sticky" like Java's KIP-480 partitioner. Each topic keeps one partition until the
///   caller reports a finished batch with `batchCompleted(topic:)`; then it moves to the next
///   partition in round-robin order. Batches stay large and load spreads evenly. The first
///   partition of each topic comes from `seed`, so tests can make it deterministic.
///
/// Note: librdkafka's *default* partitioner is `consistent_random` (CRC32), not murmur2; only
/// librdkafka configured with `partitioner=murmur2_random` agrees with this type.
public struct Murmur2Partitioner: Sendable {
    /// Per-topic cursor for null-key records; the sticky partition is `cursor % partitionCount`.
    private var stickyCursors: [String: UInt64] = [:]
    /// Where the next topic seen starts; advanced per new topic so topics do not all start at 0.
    private var nextTopicStart: UInt64

    /// `seed` chooses where null-key records start; random by default.
    public init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        nextTopicStart = seed
    }

    /// The partition of a keyed record, or nil when the topic has no partitions (yet).
    public static func partition(forKey key: some Sequence<UInt8>, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        return Murmur2.toPositive(Murmur2.hash(key)) % partitionCount
    }

    /// The partition of a keyed record whose key is the readable bytes of `key`.
    public static func partition(forKey key: ByteBuffer, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        return Murmur2.toPositive(Murmur2.hash(key)) % partitionCount
    }

    /// The partition for a record with an optional key; nil when the topic has no partitions.
    /// A null key takes the topic's sticky partition (registering the topic on first use).
    public mutating func partition(topic: String, key: ByteBuffer?, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        if let key { return Self.partition(forKey: key, partitionCount: partitionCount) }
        return Int32(cursor(for: topic) % UInt64(partitionCount))
    }

    /// The partition for a record with an optional byte-array key.
    public mutating func partition(topic: String, key: [UInt8]?, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        if let key { return Self.partition(forKey: key, partitionCount: partitionCount) }
        return Int32(cursor(for: topic) % UInt64(partitionCount))
    }

    /// Moves the topic's null-key records to the next partition; call when a batch for the
    /// current sticky partition is closed (full or lingered out).
    public mutating func batchCompleted(topic: String) {
        let current = cursor(for: topic)
        stickyCursors[topic] = current &+ 1
    }

    /// The cursor of `topic`, creating it from the seed sequence the first time.
    private mutating func cursor(for topic: String) -> UInt64 {
        if let cursor = stickyCursors[topic] { return cursor }
        let start = nextTopicStart
        // A large odd step spreads topic starts without any shared state between instances.
        nextTopicStart = nextTopicStart &+ 0x9E37_79B9_7F4A_7C15
        stickyCursors[topic] = start
        return start
    }
}
