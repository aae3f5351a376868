import BrokerClient
import Contracts
import Foundation
import KafkaWire

/// The headers a dead-lettered record carries next to its original headers (DOMAIN.md §5.1.4), and how
/// a redrive reads them back.
public enum DeadLetterHeader {
    public static let originalTopic = "dlt-original-topic"
    public static let originalPartition = "dlt-original-partition"
    public static let originalOffset = "dlt-original-offset"
    public static let group = "dlt-group"
    /// The Swift type of the last error.
    public static let errorType = "dlt-error-type"
    public static let errorMessage = "dlt-error-message"
    public static let attempts = "dlt-attempts"
    public static let firstFailureAt = "dlt-first-failure-at"
    public static let deadLetteredAt = "dlt-dead-lettered-at"

    static let prefix = "dlt-"

    /// The original headers (any earlier failure headers replaced) plus this failure's.
    static func headers(for record: ConsumerRecord, group: String, error: any Error, attempts: Int,
                        firstFailure: Date) -> [RecordHeader] {
        var headers = record.headers.filter { !$0.key.hasPrefix(prefix) }
        headers += [
            HeaderText.header(originalTopic, record.topic),
            HeaderText.header(originalPartition, String(record.partition)),
            HeaderText.header(originalOffset, String(record.offset)),
            HeaderText.header(DeadLetterHeader.group, group),
            HeaderText.header(errorType, String(reflecting: type(of: error))),
            HeaderText.header(errorMessage, String(String(describing: error).prefix(4000))),
            HeaderText.header(DeadLetterHeader.attempts, String(attempts)),
            HeaderText.header(firstFailureAt, Timestamp.format(firstFailure)),
            HeaderText.header(deadLetteredAt, Timestamp.format(Date())),
        ]
        return headers
    }

    /// The event as it was first received: original coordinates and headers, from a dead-letter record.
    static func originalEvent(from record: ConsumerRecord) throws(MessagingError) -> ReceivedEvent {
        let all = HeaderText.dictionary(record.headers)
        func malformed(_ reason: String) -> MessagingError {
            .malformedDeadLetter(topic: record.topic, partition: record.partition, offset: record.offset, reason: reason)
        }
        guard let topic = all[originalTopic] else { throw malformed("no \(originalTopic) header") }
        guard let partition = all[originalPartition].flatMap({ Int32($0) }) else { throw malformed("no valid \(originalPartition) header") }
        guard let offset = all[originalOffset].flatMap({ Int64($0) }) else { throw malformed("no valid \(originalOffset) header") }
        guard let payload = record.value else { throw malformed("no payload") }
        do {
            return try ReceivedEvent(topic: topic, partition: partition, offset: offset,
                                     headers: all.filter { !$0.key.hasPrefix(prefix) },
                                     key: record.key.map { String(decoding: $0, as: UTF8.self) }, payload: payload)
        } catch {
            throw malformed("\(error)")
        }
    }
}
