import GRDB

/// The tables every service has, owned by ServiceKit: the outbox, the inbox of applied event ids, the
/// partition offsets of the service's consumer groups (and of dead-letter redrives). Dead-lettered records
/// live in their dead-letter topic, not here.
enum PlatformMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("servicekit-v1-outbox") { db in
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("event_id", .text).notNull().unique()
                t.column("topic", .text).notNull()
                t.column("aggregate_type", .text).notNull()
                t.column("aggregate_id", .text).notNull()
                t.column("event_type", .text).notNull()
                t.column("event_version", .integer).notNull()
                t.column("payload", .blob).notNull()
                // JSON object of the envelope headers (occurred-at, correlation, causation, traceparent).
                t.column("headers", .text).notNull()
                t.column("occurred_at", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_error", .text)
                t.column("published_at", .text)
            }
            try db.create(index: "outbox_unpublished", on: "outbox", columns: ["published_at", "id"])
        },
        ServiceMigration("servicekit-v1-inbox") { db in
            try db.create(table: "inbox") { t in
                t.primaryKey("event_id", .text)
                t.column("topic", .text).notNull()
                t.column("partition", .integer).notNull()
                t.column("offset", .integer).notNull()
                t.column("applied_at", .text).notNull()
            }
            try db.create(table: "consumer_offset") { t in
                t.column("group_id", .text).notNull()
                t.column("topic", .text).notNull()
                t.column("partition", .integer).notNull()
                // The next offset to read.
                t.column("next_offset", .integer).notNull()
                t.primaryKey(["group_id", "topic", "partition"])
            }
        },
        ServiceMigration("servicekit-v2-outbox-attempts") { db in
            // When the relay first handed a row to the producer. A row with a first attempt and no
            // published_at is "in doubt": the broker may have appended it before the relay died or the
            // acknowledgement was lost, so the relay looks for it in the topic before sending it again.
            try db.alter(table: "outbox") { t in
                t.add(column: "first_attempt_at", .text)
            }
            // The purge deletes by publication time.
            try db.create(index: "outbox_published_at", on: "outbox", columns: ["published_at"],
                          condition: Column("published_at") != nil)
        },
        ServiceMigration("servicekit-v3-idempotency") { db in
            // Idempotency-Key (ServiceKit/Idempotency): one row per (endpoint, caller, key), inserted before
            // the request runs so that the primary key settles races; times are Unix milliseconds.
            try db.execute(sql: """
                CREATE TABLE idempotency_request (
                    scope TEXT NOT NULL,
                    principal TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('IN_PROGRESS', 'COMPLETED')),
                    lease_token TEXT NOT NULL,
                    locked_until INTEGER,
                    response_code INTEGER,
                    response_headers TEXT,
                    response_body BLOB,
                    created_at INTEGER NOT NULL,
                    completed_at INTEGER,
                    PRIMARY KEY (scope, principal, key)
                )
                """)
            try db.create(index: "idempotency_request_created_at", on: "idempotency_request", columns: ["created_at"])
        },
    ]
}
