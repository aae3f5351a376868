import KafkaWire

/// Producer settings; the defaults are those of an idempotent Java/librdkafka producer.
public struct ProducerConfig: Sendable {
    public enum Acks: Int16, Sendable {
        /// No answer is awaited; offsets are unknown (-1).
        case none = 0
        /// The leader appended the batch.
        case leader = 1
        /// The batch is durable (with one node: fsynced).
        case all = -1
    }

    public var acks: Acks = .all
    public var compression: CompressionCodec = .none
    /// How long a partition's batch may wait for more records before it is sent.
    public var linger: Duration = .milliseconds(5)
    /// A partition's batch is sent once it holds this many bytes of records.
    public var batchBytes = 1 << 20
    /// Records waiting to be sent; `send` suspends while the buffer is full (back-pressure).
    public var bufferBytes = 64 << 20
    /// Idempotence: producer id, epoch and sequences, so retries never duplicate (needs acks = all).
    public var idempotent = true
    /// A record not acknowledged within this time fails with `timedOut`.
    public var deliveryTimeout: Duration = .seconds(120)
    public var requestTimeout: Duration = .seconds(30)
    public var retryBackoff: Duration = .milliseconds(100)
    /// Batches of one partition sent and not yet answered, for an idempotent producer (at most
    /// `idempotentInFlightLimit`, Kafka's limit: the broker remembers five batches per producer to
    /// recognise a retry). Without idempotence a partition always has one batch in flight.
    public var maxInFlightPerPartition = 5
    public static let idempotentInFlightLimit = 5

    public init() {}
}

/// Where a record landed.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// -1 with acks = none.
    public var offset: Int64
}
