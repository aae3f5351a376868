/// An application or profile name as it appears in a URL and in a file name (`{application}-{profile}.properties`):
/// letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 100 characters. That rules out
/// path separators and `..`, so a name can never reach outside the repository's top level.
public struct ConfigName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String, field: String) throws(ConfigServerError) {
        guard (1...100).contains(raw.count) else {
            throw .invalidName(field: field, value: String(raw.prefix(100)), reason: "must be 1 to 100 characters")
        }
        guard let first = raw.unicodeScalars.first, Self.isAlphanumeric(first) else {
            throw .invalidName(field: field, value: raw, reason: "must start with a letter or digit")
        }
        guard raw.unicodeScalars.allSatisfy({ Self.isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }) else {
            throw .invalidName(field: field, value: raw, reason: "may contain only letters, digits, '.', '_' and '-'")
        }
        guard !raw.contains("..") else {
            throw .invalidName(field: field, value: raw, reason: "must not contain '..'")
        }
        value = raw
    }

    /// A comma-separated profile list (`dev,eu`), in order; at most 10 profiles.
    public static func profiles(_ raw: String) throws(ConfigServerError) -> [ConfigName] {
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 10 else {
            throw .invalidName(field: "profile", value: raw, reason: "at most 10 comma-separated profiles")
        }
        var profiles: [ConfigName] = []
        for part in parts {
            profiles.append(try ConfigName(String(part), field: "profile"))
        }
        return profiles
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    public var description: String { value }
}
