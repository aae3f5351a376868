import Foundation
import Logging

/// One JSON object per line on stderr: time, level, service, message, and the metadata (request id,
/// principal, …), for log shippers. `LOG_FORMAT=text` uses `TextLogHandler` instead.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let service: String

    public init(label: String, service: String) {
        self.label = label
        self.service = service
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: String] = [
            "time": Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            "level": event.level.rawValue,
            "service": service,
            "logger": label,
            "message": event.message.description,
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged where object[key] == nil {
            object[key] = value.description
        }
        // A line written while a recorded span is active names it, so a trace and its logs find each other.
        if object["trace_id"] == nil, Tracing.isEnabled, let active = Tracing.active {
            object["trace_id"] = active.traceId
            object["span_id"] = active.spanId
        }
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }

    /// Installs the process-wide logging backend once, from the service's config.
    public static func bootstrap(service: String, format: String, level: String) {
        let parsedLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            if format == "text" {
                var handler = TextLogHandler()
                handler.logLevel = parsedLevel
                return handler
            }
            var handler = JSONLogHandler(label: label, service: service)
            handler.logLevel = parsedLevel
            return handler
        }
    }
}
