/// The one error type of KafkaWire: every malformed input ends here, typed, with enough context
/// (API, version, field, reader offset) to log a useful line before closing a connection.
public struct KafkaWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// Fewer bytes remain than the field needs.
        case truncated(needed: Int, available: Int)
        /// A length or count below -1 (or -1 where null is not allowed for arrays/bytes).
        case negativeLength(Int)
        /// A length above what the type allows (e.g. a compact string over 32767 bytes).
        case lengthTooLarge(length: Int, limit: Int)
        /// An array count that cannot possibly fit in the remaining bytes; rejected before allocating.
        case countTooLarge(count: Int, available: Int)
        /// A string that is not valid UTF-8.
        case invalidUTF8
        /// A null where the field is not nullable at this version.
        case unexpectedNull
        /// An unsigned varint longer than 5 bytes.
        case malformedVarint
        /// An API key this module does not know.
        case unknownApiKey(Int16)
        /// A known API at a version this module does not decode or encode.
        case unsupportedVersion(apiKey: Int16, version: Int16)
        /// A frame size prefix above the configured maximum.
        case frameTooLarge(size: Int, limit: Int)
        /// A frame size prefix below zero.
        case invalidFrameSize(Int32)
        /// Bytes left over after a complete message body.
        case trailingBytes(Int)
        /// A header version this module cannot read or write.
        case unsupportedHeaderVersion(Int16)
    }

    public var kind: Kind
    /// Raw API key of the message being decoded, when known.
    public var apiKey: Int16?
    /// Version of the message being decoded, when known.
    public var apiVersion: Int16?
    /// Name of the field being read, when known.
    public var field: String?
    /// Reader index (within the buffer being decoded) where the failing read started.
    public var offset: Int?

    public init(_ kind: Kind, apiKey: Int16? = nil, apiVersion: Int16? = nil, field: String? = nil, offset: Int? = nil) {
        self.kind = kind
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.field = field
        self.offset = offset
    }

    /// Fills in the API and version if an inner layer did not (the innermost context wins).
    public func adding(apiKey: Int16, apiVersion: Int16) -> KafkaWireError {
        var copy = self
        if copy.apiKey == nil { copy.apiKey = apiKey }
        if copy.apiVersion == nil { copy.apiVersion = apiVersion }
        return copy
    }

    public var description: String {
        var parts = ["KafkaWireError.\(kind)"]
        if let apiKey {
            let name = ApiKey(rawValue: apiKey).map { "\($0)" } ?? "key \(apiKey)"
            parts.append("api=\(name)")
        }
        if let apiVersion { parts.append("v\(apiVersion)") }
        if let field { parts.append("field=\(field)") }
        if let offset { parts.append("offset=\(offset)") }
        return parts.joined(separator: " ")
    }
}
