import BrokerClient
import Contracts
import Foundation
import KafkaWire
import ServiceKit

/// Publishes one record with an envelope in its headers and any payload bytes, decodable or not: how an
/// end-to-end test provokes a poison message (DOMAIN.md C14) on a topic a service consumes. `close()` when done.
public final class RawRecordPublisher: Sendable {
    private let cluster: BrokerCluster
    private let producer: BrokerProducer

    public init(bootstrap: String, clientId: String = "raw-record-publisher") throws {
        cluster = try BrokerCluster(bootstrap: [bootstrap], clientId: clientId)
        producer = try BrokerProducer(cluster: cluster)
    }

    /// Sends `payload` as the value of a record keyed `key` on `topic`, with the envelope headers of an
    /// event of type `eventType`; waits for the acknowledgement and returns the event id.
    @discardableResult
    public func publish(topic: String, key: String, eventType: String, eventVersion: Int = 1, aggregateType: String,
                        payload: String,
                        correlationId: String? = nil) async throws -> String {
        let eventId = UUID().uuidString.lowercased()
        var headers = [
            RecordHeader(key: EnvelopeHeader.eventId, valueBytes: Array(eventId.utf8)),
            RecordHeader(key: EnvelopeHeader.eventType, valueBytes: Array(eventType.utf8)),
            RecordHeader(key: EnvelopeHeader.eventVersion, valueBytes: Array(String(eventVersion).utf8)),
            RecordHeader(key: EnvelopeHeader.aggregateType, valueBytes: Array(aggregateType.utf8)),
            RecordHeader(key: EnvelopeHeader.aggregateId, valueBytes: Array(key.utf8)),
            RecordHeader(key: EnvelopeHeader.occurredAt, valueBytes: Array(Timestamp.format(Date()).utf8)),
            RecordHeader(key: EnvelopeHeader.producer, valueBytes: Array("raw-record-publisher".utf8)),
        ]
        if let correlationId {
            headers.append(RecordHeader(key: EnvelopeHeader.correlationId, valueBytes: Array(correlationId.utf8)))
        }
        _ = try await producer.send(topic: topic, key: Array(key.utf8), value: Array(payload.utf8), headers: headers)
        return eventId
    }

    public func close() async {
        await producer.close()
        await cluster.shutdown()
    }
}
