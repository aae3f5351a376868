import LogStore

/// Per-topic settings, persisted with the topic; the names in `kafkaNames` are what CreateTopics and
/// the admin CLI use.
public struct TopicConfig: Codable, Sendable, Equatable {
    public var retentionMs: Int64 = 7 * 24 * 3600 * 1000
    public var retentionBytes: Int64 = -1
    public var segmentBytes: Int64 = 128 * 1024 * 1024
    public var segmentMs: Int64 = 7 * 24 * 3600 * 1000
    public var maxMessageBytes: Int = 1_048_588
    /// 1 forces an fsync per append (`flush.messages=1`); otherwise the interval policy applies.
    public var flushMessages: Int64 = Int64.max
    public var flushMs: Int64 = 1000

    public init() {}

    public static let kafkaNames: [String] = [
        "retention.ms", "retention.bytes", "segment.bytes", "segment.ms", "max.message.bytes",
        "flush.messages", "flush.ms",
    ]

    public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
        case unknown(String)
        case invalidValue(name: String, value: String)
        public var description: String {
            switch self {
            case .unknown(let name): "unknown topic config '\(name)'"
            case .invalidValue(let name, let value): "invalid value '\(value)' for topic config '\(name)'"
            }
        }
    }

    /// Applies one Kafka-named setting.
    public mutating func set(_ name: String, to value: String) throws(ConfigError) {
        guard let number = Int64(value) else { throw .invalidValue(name: name, value: value) }
        switch name {
        case "retention.ms" where number >= -1: retentionMs = number
        case "retention.bytes" where number >= -1: retentionBytes = number
        case "segment.bytes" where number >= 1024 && number <= Int64(Int32.max): segmentBytes = number
        case "segment.ms" where number > 0: segmentMs = number
        case "max.message.bytes" where number >= 61 && number <= Int64(Int32.max): maxMessageBytes = Int(number)
        case "flush.messages" where number >= 1: flushMessages = number
        case "flush.ms" where number >= 0: flushMs = number
        default:
            if Self.kafkaNames.contains(name) { throw .invalidValue(name: name, value: value) }
            throw .unknown(name)
        }
    }

    public func value(of name: String) -> String? {
        switch name {
        case "retention.ms": String(retentionMs)
        case "retention.bytes": String(retentionBytes)
        case "segment.bytes": String(segmentBytes)
        case "segment.ms": String(segmentMs)
        case "max.message.bytes": String(maxMessageBytes)
        case "flush.messages": String(flushMessages)
        case "flush.ms": String(flushMs)
        default: nil
        }
    }

    var logConfig: LogConfig {
        var config = LogConfig()
        config.retentionMilliseconds = retentionMs
        config.retentionBytes = retentionBytes
        config.segmentBytes = segmentBytes
        config.segmentMilliseconds = segmentMs
        config.maxBatchBytes = maxMessageBytes
        config.flushPolicy = flushMessages == 1 ? .everyAppend : .interval(milliseconds: flushMs, bytes: 0)
        return config
    }
}
