/// W3C Trace Context (`traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`): a valid
/// incoming header is passed on unchanged, anything else is replaced by a fresh sampled one.
public enum TraceContext {
    public static func propagate(_ incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return generate()
    }

    public static func generate() -> String {
        "00-\(hex(bytes: 16))-\(hex(bytes: 8))-01"
    }

    public static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts[0] != "ff" else { return false }
        guard parts.allSatisfy({ $0.allSatisfy { $0.isHexDigit && !$0.isUppercase } }) else { return false }
        // All-zero trace and parent ids are invalid.
        return parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }

    static func hex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        repeat {
            text = (0..<bytes).map { _ in
                let byte = UInt8.random(in: 0...255, using: &generator)
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        } while !text.contains { $0 != "0" }
        return text
    }
}
