import Foundation
import Logging

/// One short line per event for a person at a terminal (`LOG_FORMAT=text`, the default when stderr is a
/// terminal, and what `shop up` asks of its children when it runs on one):
/// `13:05:02.118 info  POST /auth/login 200  duration_ms=44.1 request_id=…`.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info

    /// Metadata a person rarely needs on a terminal; the JSON format keeps it.
    static let hidden: Set<String> = ["route", "status", "logger", "component", "hb.request.id"]

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let time = Date().formatted(Date.VerbatimFormatStyle(
            format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits).\(secondFraction: .fractional(3))",
            timeZone: .current, calendar: Calendar(identifier: .gregorian)))
        let level = event.level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
        var line = "\(time) \(level) \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let shown = merged.filter { !Self.hidden.contains($0.key) }.sorted { $0.key < $1.key }
        if !shown.isEmpty {
            line += "  " + shown.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
