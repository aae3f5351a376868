/// A W3C Trace Context `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`): which trace a
/// piece of work belongs to and which span caused it. Carried in HTTP headers and Kafka record headers.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// 32 lowercase hex digits, not all zero.
    public let traceId: String
    /// 16 lowercase hex digits, not all zero: the span that is the parent of whatever receives this.
    public let spanId: String
    public let flags: String

    /// Parses a header value; nil for anything W3C says to ignore (wrong lengths, uppercase, version `ff`,
    /// all-zero ids).
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts[0] != "ff" else { return nil }
        guard parts.allSatisfy({ $0.allSatisfy(Self.isLowerHex) }) else { return nil }
        guard parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }) else { return nil }
        traceId = String(parts[1])
        spanId = String(parts[2])
        flags = String(parts[3])
    }

    public init(traceId: String, spanId: String, flags: String = "01") {
        self.traceId = traceId
        self.spanId = spanId
        self.flags = flags
    }

    /// A new trace: fresh trace and span ids, sampled.
    public static func newTrace() -> TraceParent {
        TraceParent(traceId: randomHex(bytes: 16), spanId: randomHex(bytes: 8))
    }

    /// The same trace, a new span id: what a child span of this one carries.
    public func child() -> TraceParent {
        TraceParent(traceId: traceId, spanId: Self.randomHex(bytes: 8), flags: flags)
    }

    public var header: String { "00-\(traceId)-\(spanId)-\(flags)" }
    public var description: String { header }

    /// A valid incoming header unchanged, or a new trace for a missing or invalid one.
    public static func propagate(_ incoming: String?) -> String {
        incoming.flatMap(TraceParent.init(header:))?.header ?? newTrace().header
    }

    private static func isLowerHex(_ character: Character) -> Bool {
        character.isHexDigit && !character.isUppercase
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        while true {
            var text = ""
            text.reserveCapacity(bytes * 2)
            for _ in 0..<bytes {
                let byte = UInt8.random(in: 0...255, using: &generator)
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0f)])
            }
            if text.contains(where: { $0 != "0" }) { return text }
        }
    }
}
