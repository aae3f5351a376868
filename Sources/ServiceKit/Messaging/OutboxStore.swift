import Contracts
import Foundation
import GRDB
import KafkaWire

/// One committed outbox row, as the relay reads it.
struct OutboxRow: Sendable {
    var id: Int64
    var eventId: String
    var topic: String
    var aggregateType: String
    var aggregateId: String
    var eventType: String
    var eventVersion: Int
    var payload: [UInt8]
    /// The JSON object of envelope headers written by `Outbox.enqueue`.
    var headersJSON: String
    var occurredAt: String
    var attempts: Int
    var firstAttemptAt: String?

    init(row: Row) {
        id = row["id"]
        eventId = row["event_id"]
        topic = row["topic"]
        aggregateType = row["aggregate_type"]
        aggregateId = row["aggregate_id"]
        eventType = row["event_type"]
        eventVersion = row["event_version"]
        let data: Data = row["payload"] ?? Data()
        payload = Array(data)
        headersJSON = row["headers"]
        occurredAt = row["occurred_at"]
        attempts = row["attempts"]
        firstAttemptAt = row["first_attempt_at"]
    }

    /// The record headers of the envelope: `stored` (the row's `storedHeaders()`, as the relay may have
    /// updated them) come first; the fixed envelope fields are written last so a stored header cannot override them.
    func recordHeaders(_ stored: [String: String], producer: String) -> [RecordHeader] {
        var headers = stored.sorted { $0.key < $1.key }.map { HeaderText.header($0.key, $0.value) }
        headers += [
            HeaderText.header(EnvelopeHeader.eventId, eventId),
            HeaderText.header(EnvelopeHeader.eventType, eventType),
            HeaderText.header(EnvelopeHeader.eventVersion, String(eventVersion)),
            HeaderText.header(EnvelopeHeader.aggregateType, aggregateType),
            HeaderText.header(EnvelopeHeader.aggregateId, aggregateId),
            HeaderText.header(EnvelopeHeader.occurredAt, occurredAt),
            HeaderText.header(EnvelopeHeader.producer, producer),
        ]
        return headers
    }

    /// The headers the row was written with (correlation, causation, traceparent).
    func storedHeaders() throws(MessagingError) -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))
        } catch {
            throw .malformedOutboxRow(id: id, eventId: eventId, reason: "headers are not a JSON object of strings: \(error)")
        }
    }
}

/// All SQL of the outbox relay.
enum OutboxStore {
    static func unpublished(limit: Int, _ db: Database) throws -> [OutboxRow] {
        try Row.fetchAll(db, sql: """
            SELECT id, event_id, topic, aggregate_type, aggregate_id, event_type, event_version, payload, headers,
                   occurred_at, attempts, first_attempt_at
            FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?
            """, arguments: [limit]).map(OutboxRow.init(row:))
    }

    /// Records that these rows are about to be handed to the producer (before the send, so a crash
    /// after the broker appended them leaves them marked as in doubt).
    static func markAttempted(ids: [Int64], at date: Date, _ db: Database) throws {
        guard !ids.isEmpty else { return }
        try db.execute(sql: """
            UPDATE outbox SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?)
            WHERE id IN (\(placeholders(ids.count)))
            """, arguments: StatementArguments([Timestamp.format(date)] + ids.map { $0 as any DatabaseValueConvertible }))
    }

    static func markPublished(ids: [Int64], at date: Date, _ db: Database) throws {
        guard !ids.isEmpty else { return }
        try db.execute(sql: """
            UPDATE outbox SET published_at = ?, last_error = NULL WHERE id IN (\(placeholders(ids.count))) AND published_at IS NULL
            """, arguments: StatementArguments([Timestamp.format(date)] + ids.map { $0 as any DatabaseValueConvertible }))
    }

    static func recordFailure(id: Int64, error: String, _ db: Database) throws {
        try db.execute(sql: "UPDATE outbox SET last_error = ? WHERE id = ?", arguments: [String(error.prefix(2000)), id])
    }

    /// Deletes published rows published before `cutoff`; returns how many.
    static func purge(publishedBefore cutoff: Date, _ db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?",
                       arguments: [Timestamp.format(cutoff)])
        return db.changesCount
    }

    /// How many rows wait, and when the oldest of them occurred.
    static func lag(_ db: Database) throws -> (count: Int, oldestOccurredAt: String?) {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") ?? 0
        let oldest = try String.fetchOne(db, sql: "SELECT occurred_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1")
        return (count, oldest)
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}
