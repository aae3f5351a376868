import BrokerClient
import GRDB

/// Applies one event exactly once: in one transaction, skips it if its id is in the inbox, else runs the
/// handler and records the id; and in the same transaction stores the consumer's next offset, so the
/// effect, the inbox row and the position commit or roll back together.
struct EventApplier: Sendable {
    enum Outcome: Sendable { case applied, duplicate }

    /// Where the reader is, stored with the effect (the group's partition, or a redrive's DLT partition).
    struct Progress: Sendable {
        var group: String
        var partition: TopicPartition
        var nextOffset: Int64
    }

    let database: ServiceDatabase
    let handler: EventConsumerRunner.Handler

    func apply(_ event: ReceivedEvent, progress: Progress) async throws -> Outcome {
        let handler = self.handler
        return try await database.write { db in
            let outcome: Outcome
            if try ConsumerStore.isApplied(eventId: event.eventId, db) {
                outcome = .duplicate
            } else {
                try handler(event, db)
                try ConsumerStore.recordApplied(event, db)
                outcome = .applied
            }
            try ConsumerStore.storeNextOffset(group: progress.group, topic: progress.partition.topic,
                                              partition: progress.partition.partition, next: progress.nextOffset, db)
            return outcome
        }
    }

    /// Stores only the position (after a record was dead-lettered, so the reader moves on).
    /// Moves the stored offset past a record that will not be applied; `also` runs in the same transaction
    /// (the service's own note of the dead letter).
    func skip(progress: Progress, also: (@Sendable (Database) throws -> Void)? = nil) async throws {
        try await database.write { db in
            try also?(db)
            try ConsumerStore.storeNextOffset(group: progress.group, topic: progress.partition.topic,
                                              partition: progress.partition.partition, next: progress.nextOffset, db)
        }
    }
}
