import BrokerClient
import Contracts
import Foundation
import GRDB

/// All SQL of the event consumers: the inbox of applied event ids and the next offset per partition.
enum ConsumerStore {
    static func isApplied(eventId: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM inbox WHERE event_id = ?)", arguments: [eventId]) ?? false
    }

    static func recordApplied(_ event: ReceivedEvent, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO inbox (event_id, topic, partition, "offset", applied_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [event.eventId, event.topic, event.partition, event.offset, Timestamp.format(Date())])
    }

    static func storeNextOffset(group: String, topic: String, partition: Int32, next: Int64, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO consumer_offset (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)
            ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset
            """, arguments: [group, topic, partition, next])
    }

    static func nextOffsets(group: String, _ db: Database) throws -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM consumer_offset WHERE group_id = ?",
                                    arguments: [group]) {
            result[TopicPartition(row["topic"], row["partition"])] = row["next_offset"]
        }
        return result
    }
}
