import HTTPTypes
import Synchronization

/// The routes a service registered, so that a request whose path exists under another method gets
/// 405 with `Allow` instead of Hummingbird's 404.
public final class RouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    public init() {}

    func add(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((method, segments)) }
    }

    /// The methods registered for paths matching `path`, empty when no route matches it at all.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let requested = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        return routes.withLock { routes in
            var methods: [HTTPRequest.Method] = []
            for route in routes where Self.matches(route.segments, requested) && !methods.contains(route.method) {
                methods.append(route.method)
            }
            return methods
        }
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var index = 0
        for segment in pattern {
            if segment == "**" { return true }
            guard index < path.count else { return false }
            let isParameter = segment.hasPrefix(":") || segment.hasPrefix("{") || segment == "*"
            if !isParameter, segment != path[index] { return false }
            index += 1
        }
        return index == path.count
    }
}
