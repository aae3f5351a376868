import Foundation

/// A domain event as it travels between services: a versioned, Codable payload published to one topic,
/// keyed by its aggregate's id. The envelope (event id, occurred-at, correlation, causation, traceparent)
/// travels in record headers and is added by ServiceKit's outbox; the payload carries only domain facts.
///
/// Versioning rule: within one `eventVersion` only additive changes (new optional fields). A breaking
/// change is a new type with `eventVersion + 1`, published next to the old one until consumers move.
public protocol DomainEvent: Codable, Sendable {
    /// The name consumers dispatch on, for example `UserRegistered`; sent in the `event-type` header.
    static var eventType: String { get }
    /// The payload's schema version; sent in the `event-version` header.
    static var eventVersion: Int { get }
    /// The aggregate's kind, for example `user`.
    static var aggregateType: String { get }
    /// The topic of the aggregate's stream, for example `iam.user.v1`.
    static var topic: String { get }
    /// The aggregate's id; also the record key, so one aggregate's events keep their order.
    var aggregateId: String { get }
}

/// How every event payload is encoded: camelCase keys, ISO-8601 dates with fractional seconds.
public enum EventCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 timestamp: \(text)")
            }
            return date
        }
        return decoder
    }
}

/// ISO-8601 timestamps with milliseconds in UTC (`2026-11-25T20:01:26.123Z`), the one format of every
/// payload and header.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    public static func format(_ date: Date) -> String {
        withFraction.format(date)
    }

    public static func parse(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text))
    }
}
