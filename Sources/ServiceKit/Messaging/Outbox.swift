import Synchronization
import Contracts
import Foundation
import GRDB

/// Where an event came from, carried in the envelope headers next to the payload.
public struct EventMetadata: Sendable, Equatable {
    /// Ties together everything one user action caused (a request id, or an order id in a checkout).
    public var correlationId: String?
    /// The id of the event or request that caused this one.
    public var causationId: String?
    /// W3C trace context of the request that wrote the event.
    public var traceparent: String?

    public init(correlationId: String? = nil, causationId: String? = nil, traceparent: String? = nil) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.traceparent = traceparent
    }
}

/// The transactional outbox: an event is written in the same SQLite transaction as the state change it
/// describes, so the two commit or roll back together. The relay publishes committed rows in id order.
public enum Outbox {
    /// Writes `event` to the outbox inside the caller's transaction and returns its event id (a UUIDv7-like
    /// time-ordered UUID). The relay is woken when the transaction commits.
    @discardableResult
    public static func enqueue<Event: DomainEvent>(
        _ event: Event,
        metadata: EventMetadata = EventMetadata(),
        occurredAt: Date = Date(),
        in db: Database
    ) throws -> String {
        let eventId = EventID.make(at: occurredAt)
        let payload = try EventCoding.encoder().encode(event)
        var headers: [String: String] = [:]
        headers["correlation-id"] = metadata.correlationId
        headers["causation-id"] = metadata.causationId
        headers["traceparent"] = metadata.traceparent
        let headersJSON = String(decoding: try JSONEncoder().encode(headers), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO outbox (event_id, topic, aggregate_type, aggregate_id, event_type, event_version,
                                    payload, headers, occurred_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [eventId, Event.topic, Event.aggregateType, event.aggregateId, Event.eventType,
                        Event.eventVersion, payload, headersJSON, Timestamp.format(occurredAt)]
        )
        db.afterNextTransaction { _ in OutboxSignal.shared.notify() }
        return eventId
    }
}

/// Wakes relays when an outbox write commits. Process-wide because a write does not know which relay
/// serves its database; a relay that wakes for another database finds nothing and sleeps again.
public final class OutboxSignal: Sendable {
    public static let shared = OutboxSignal()
    private let continuations = Mutex<[UInt64: AsyncStream<Void>.Continuation]>([:])
    private let nextId = Mutex<UInt64>(0)

    /// A stream that yields after commits (coalesced: at most one pending wake-up per subscriber).
    public func subscribe() -> AsyncStream<Void> {
        let id = nextId.withLock { value -> UInt64 in value += 1; return value }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuations.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.continuations.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    public func notify() {
        let all = continuations.withLock { Array($0.values) }
        for continuation in all { continuation.yield() }
    }
}

/// Time-ordered UUIDs (UUIDv7 layout: 48-bit Unix milliseconds, version 7, random rest), so event ids
/// sort by creation time and index well.
public enum EventID {
    public static func make(at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        var generator = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }
}
