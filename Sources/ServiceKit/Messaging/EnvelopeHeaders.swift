import KafkaWire
import NIOCore

/// The names of the envelope headers every event carries (DOMAIN.md §4.1), in one place so the relay,
/// the consumer runner and the dead-letter path agree on the spelling.
public enum EnvelopeHeader {
    public static let eventId = "event-id"
    public static let eventType = "event-type"
    public static let eventVersion = "event-version"
    public static let aggregateType = "aggregate-type"
    /// Also the record key.
    public static let aggregateId = "aggregate-id"
    public static let occurredAt = "occurred-at"
    public static let correlationId = "correlation-id"
    public static let causationId = "causation-id"
    public static let traceparent = "traceparent"
    /// The name of the service that published the event.
    public static let producer = "producer"
}

/// Record headers as text, for building and reading envelopes.
enum HeaderText {
    static func header(_ key: String, _ value: String) -> RecordHeader {
        RecordHeader(key: key, valueBytes: Array(value.utf8))
    }

    /// The headers as a dictionary; a repeated key keeps its last value (Kafka's "last header" rule),
    /// a null value is left out.
    static func dictionary(_ headers: [RecordHeader]) -> [String: String] {
        var result: [String: String] = [:]
        for header in headers {
            guard let value = header.value else { continue }
            result[header.key] = String(buffer: value)
        }
        return result
    }
}
