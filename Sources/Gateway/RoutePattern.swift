import HTTPTypes

/// A path pattern with an optional method, as written in the gateway's settings:
/// `/auth/**` (the prefix `/auth` and everything under it), `GET /products/**` (only GET and HEAD),
/// `/health` (exactly that path), `*` standing for one segment.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    public let method: HTTPRequest.Method?
    public let segments: [String]
    /// Ends in `**`: matches the prefix itself and every path below it.
    public let recursive: Bool

    public init(parsing text: String) throws(GatewayConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        let pathText: Substring
        switch parts.count {
        case 1:
            method = nil
            pathText = parts[0]
        case 2:
            guard let parsed = HTTPRequest.Method(String(parts[0]).uppercased()) else {
                throw .invalidPattern(trimmed, reason: "\(parts[0]) is not an HTTP method")
            }
            method = parsed
            pathText = parts[1]
        default:
            throw .invalidPattern(trimmed, reason: "expected `[METHOD ]/path[/**]`")
        }
        guard pathText.hasPrefix("/") else { throw .invalidPattern(trimmed, reason: "the path must start with /") }
        var segments = pathText.split(separator: "/").map(String.init)
        recursive = segments.last == "**"
        if recursive { segments.removeLast() }
        guard !segments.contains("**") else { throw .invalidPattern(trimmed, reason: "** may only end a pattern") }
        self.segments = segments
    }

    public var description: String {
        let path = "/" + (segments + (recursive ? ["**"] : [])).joined(separator: "/")
        return method.map { "\($0.rawValue) \(path)" } ?? path
    }

    /// Whether `path` (without the query) and `method` fall under this pattern. A GET pattern also covers HEAD.
    public func matches(path: String, method requestMethod: HTTPRequest.Method) -> Bool {
        if let method, method != requestMethod, !(method == .get && requestMethod == .head) { return false }
        let requested = Self.segments(of: path)
        if recursive ? requested.count < segments.count : requested.count != segments.count { return false }
        for (pattern, actual) in zip(segments, requested) where pattern != "*" && pattern != actual {
            return false
        }
        return true
    }

    /// Path segments without the query string and without empty segments.
    static func segments(of path: String) -> [Substring] {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return withoutQuery.split(separator: "/")
    }

    /// Parses a comma-separated list of patterns.
    public static func list(_ text: String) throws(GatewayConfigurationError) -> [RoutePattern] {
        var patterns: [RoutePattern] = []
        for item in text.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            patterns.append(try RoutePattern(parsing: String(item)))
        }
        return patterns
    }
}

extension Array where Element == RoutePattern {
    func matches(path: String, method: HTTPRequest.Method) -> Bool {
        contains { $0.matches(path: path, method: method) }
    }
}
