/// Failures of the outbox relay and the event consumers, each with what was being done and to what.
public enum MessagingError: Error, Sendable, CustomStringConvertible {
    /// An outbox row cannot be turned into a record (corrupt headers JSON, for example).
    case malformedOutboxRow(id: Int64, eventId: String, reason: String)
    /// Publishing outbox rows failed; they stay unpublished and are retried.
    case publishFailed(eventIds: [String], reason: String)
    /// A received record lacks a header the envelope requires.
    case missingHeader(String, topic: String, partition: Int32, offset: Int64)
    /// A received record has no payload.
    case missingPayload(topic: String, partition: Int32, offset: Int64)
    /// The payload does not decode as the expected event type.
    case decodingFailed(eventType: String, eventId: String, reason: String)
    /// The record's `event-type` header is not the type the handler asked to decode.
    case unexpectedEventType(expected: String, actual: String, eventId: String)
    /// A dead-letter record lacks the headers that say where it came from.
    case malformedDeadLetter(topic: String, partition: Int32, offset: Int64, reason: String)
    /// Publishing to the dead-letter topic failed.
    case deadLetterPublishFailed(topic: String, reason: String)
    /// A database operation of the messaging layer failed.
    case database(operation: String, reason: String)

    public var description: String {
        switch self {
        case .malformedOutboxRow(let id, let eventId, let reason):
            "outbox row \(id) (event \(eventId)) cannot be published: \(reason)"
        case .publishFailed(let eventIds, let reason):
            "publishing \(eventIds.count) outbox event(s) failed (first \(eventIds.first ?? "-")): \(reason)"
        case .missingHeader(let name, let topic, let partition, let offset):
            "record \(topic)-\(partition)@\(offset) has no '\(name)' header"
        case .missingPayload(let topic, let partition, let offset):
            "record \(topic)-\(partition)@\(offset) has no payload"
        case .decodingFailed(let eventType, let eventId, let reason):
            "event \(eventId) does not decode as \(eventType): \(reason)"
        case .unexpectedEventType(let expected, let actual, let eventId):
            "event \(eventId) is a \(actual), not a \(expected)"
        case .malformedDeadLetter(let topic, let partition, let offset, let reason):
            "dead-letter record \(topic)-\(partition)@\(offset) cannot be redriven: \(reason)"
        case .deadLetterPublishFailed(let topic, let reason):
            "publishing to the dead-letter topic \(topic) failed: \(reason)"
        case .database(let operation, let reason):
            "\(operation) failed: \(reason)"
        }
    }
}
