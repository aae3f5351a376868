/// Finds configuration keys a service would silently ignore: a misspelt or outdated name set in the config
/// server's files or in the environment. Reported at start-up, never fatal (a key may be meant for a newer
/// version of the service).
public enum SettingsAudit {
    public struct UnknownKey: Sendable, Equatable, CustomStringConvertible {
        public enum Source: String, Sendable { case configServer = "config server", environment }
        public var key: String
        public var source: Source

        public init(key: String, source: Source) {
            self.key = key
            self.source = source
        }

        public var description: String { "\(key) (\(source.rawValue))" }
    }

    /// - Parameters:
    ///   - service: the service's name (its own variables start with `NAME_`).
    ///   - known: the service's own variables (`*` matches any run of characters) besides `ServiceConfig.settingNames`.
    ///   - otherServices: the names of the other services; their prefixed keys in shared files are theirs.
    ///   - remote: what the config server answered for the service.
    ///   - environment: the process environment; only `SHOP_…` and the service's own prefix are checked
    ///     there, since it holds much else (PATH, HOME, …).
    public static func unknownKeys(service: String, known: [String], otherServices: [String],
                                   remote: [String: String], environment: [String: String]) -> [UnknownKey] {
        let patterns = ServiceConfig.settingNames + known
        let ownPrefix = prefix(of: service)
        let otherPrefixes = otherServices.filter { $0 != service }.map(prefix(of:))
        func isKnown(_ key: String) -> Bool { patterns.contains { matches(key, pattern: $0) } }
        var unknown: [UnknownKey] = []
        for key in remote.keys.sorted() where !isKnown(key) && !otherPrefixes.contains(where: key.hasPrefix) {
            unknown.append(UnknownKey(key: key, source: .configServer))
        }
        for key in environment.keys.sorted() where (key.hasPrefix("SHOP_") || key.hasPrefix(ownPrefix)) && !isKnown(key) {
            if remote[key] == nil { unknown.append(UnknownKey(key: key, source: .environment)) }
        }
        return unknown
    }

    static func prefix(of service: String) -> String {
        service.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
    }

    /// `*` matches any run of characters (possibly empty); everything else literally.
    static func matches(_ key: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return key == pattern }
        guard key.hasPrefix(parts[0]), let last = parts.last, key.hasSuffix(last),
              key.count >= parts[0].count + last.count else { return false }
        var rest = Substring(key.dropFirst(parts[0].count).dropLast(last.count))
        for middle in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
