import BrokerClient
import Contracts
import Foundation
import KafkaWire
import ServiceKit

/// Publishes domain events and saga commands to a real broker exactly as a service's outbox relay does
/// (JSON payload in `EventCoding`, the envelope in record headers, the aggregate id as key), for tests of
/// a consumer whose producer does not exist yet or is not under test. `close()` when done.
public final class TestEventPublisher: Sendable {
    private let cluster: BrokerCluster
    private let producer: BrokerProducer
    private let producerName: String

    public init(bootstrap: String, producerName: String = "test-publisher") throws {
        cluster = try BrokerCluster(bootstrap: [bootstrap], clientId: producerName)
        producer = try BrokerProducer(cluster: cluster)
        self.producerName = producerName
    }

    /// Sends `event` to its topic and waits for the acknowledgement; returns the event id it carried.
    /// Sending the same `eventId` twice is how a test makes a redelivery.
    @discardableResult
    public func publish<Event: DomainEvent>(_ event: Event, eventId: String = UUID().uuidString.lowercased(),
                                            correlationId: String? = nil, occurredAt: Date = Date()) async throws -> String {
        let payload = try EventCoding.encoder().encode(event)
        var headers = [
            RecordHeader(key: EnvelopeHeader.eventId, valueBytes: Array(eventId.utf8)),
            RecordHeader(key: EnvelopeHeader.eventType, valueBytes: Array(Event.eventType.utf8)),
            RecordHeader(key: EnvelopeHeader.eventVersion, valueBytes: Array(String(Event.eventVersion).utf8)),
            RecordHeader(key: EnvelopeHeader.aggregateType, valueBytes: Array(Event.aggregateType.utf8)),
            RecordHeader(key: EnvelopeHeader.aggregateId, valueBytes: Array(event.aggregateId.utf8)),
            RecordHeader(key: EnvelopeHeader.occurredAt, valueBytes: Array(Timestamp.format(occurredAt).utf8)),
            RecordHeader(key: EnvelopeHeader.producer, valueBytes: Array(producerName.utf8)),
        ]
        if let correlationId {
            headers.append(RecordHeader(key: EnvelopeHeader.correlationId, valueBytes: Array(correlationId.utf8)))
        }
        _ = try await producer.send(topic: Event.topic, key: Array(event.aggregateId.utf8), value: Array(payload),
                                    headers: headers)
        return eventId
    }

    public func close() async {
        await producer.close()
        await cluster.shutdown()
    }
}
