import BrokerClient
import Contracts
import Foundation

/// One event as a consumer handler sees it: where it came from, its envelope headers, key and payload.
public struct ReceivedEvent: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Every header as text (the envelope and any others).
    public var headers: [String: String]
    public var key: String?
    public var payload: [UInt8]

    public var eventId: String
    public var eventType: String
    public var eventVersion: Int?
    public var aggregateType: String? { headers[EnvelopeHeader.aggregateType] }
    public var aggregateId: String? { headers[EnvelopeHeader.aggregateId] ?? key }
    public var occurredAt: Date? { headers[EnvelopeHeader.occurredAt].flatMap(Timestamp.parse) }
    public var correlationId: String? { headers[EnvelopeHeader.correlationId] }
    public var causationId: String? { headers[EnvelopeHeader.causationId] }
    public var traceparent: String? { headers[EnvelopeHeader.traceparent] }
    public var producer: String? { headers[EnvelopeHeader.producer] }

    public init(topic: String, partition: Int32, offset: Int64, headers: [String: String], key: String?,
                payload: [UInt8]) throws(MessagingError) {
        guard let eventId = headers[EnvelopeHeader.eventId], !eventId.isEmpty else {
            throw .missingHeader(EnvelopeHeader.eventId, topic: topic, partition: partition, offset: offset)
        }
        guard let eventType = headers[EnvelopeHeader.eventType], !eventType.isEmpty else {
            throw .missingHeader(EnvelopeHeader.eventType, topic: topic, partition: partition, offset: offset)
        }
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.headers = headers
        self.key = key
        self.payload = payload
        self.eventId = eventId
        self.eventType = eventType
        eventVersion = headers[EnvelopeHeader.eventVersion].flatMap { Int($0) }
    }

    /// From a consumed record; throws if the envelope's event id or type is missing or there is no payload.
    public init(_ record: ConsumerRecord) throws(MessagingError) {
        guard let value = record.value else {
            throw .missingPayload(topic: record.topic, partition: record.partition, offset: record.offset)
        }
        try self.init(topic: record.topic, partition: record.partition, offset: record.offset,
                      headers: HeaderText.dictionary(record.headers),
                      key: record.key.map { String(decoding: $0, as: UTF8.self) }, payload: value)
    }

    /// Whether this is an `E` (by the `event-type` header).
    public func `is`<E: DomainEvent>(_ type: E.Type) -> Bool { eventType == E.eventType }

    /// Decodes the payload as `E`; throws if the event type differs or the payload does not decode.
    public func decode<E: DomainEvent>(_ type: E.Type) throws(MessagingError) -> E {
        guard eventType == E.eventType else {
            throw .unexpectedEventType(expected: E.eventType, actual: eventType, eventId: eventId)
        }
        do {
            return try EventCoding.decoder().decode(E.self, from: Data(payload))
        } catch {
            throw .decodingFailed(eventType: E.eventType, eventId: eventId, reason: "\(error)")
        }
    }
}
