import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import ServiceKit
import ShopTestSupport
import Synchronization

/// A small upstream service on a real port. Paths ending in `/stream-echo` stream the request body back;
/// `/status/<code>` answers that status with a plain-text body; `/slow` answers after 8 s; `/barrier/<n>`
/// answers once n requests wait there at once; anything else answers JSON describing what arrived
/// (`upstream`, `method`, `path`, lowercased `headers`). It also serves
/// `/.well-known/jwks.json` when given a key set, and `/services/<name>` when given registry instances.
final class EchoUpstream: Sendable {
    let name: String
    let server: LiveServer
    private let seen: RequestLog

    var baseURL: String { server.baseURL }
    var port: Int { server.port }
    /// The X-Request-Id of every request that reached this upstream, in order.
    var requestIds: [String] { seen.ids }

    init(_ name: String, port: Int = 0, jwks: String? = nil, registry: [String: [String]]? = nil) async throws {
        self.name = name
        let seen = RequestLog()
        self.seen = seen
        let router = Router()
        if let jwks {
            router.get("/.well-known/jwks.json") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
            }
        }
        if let registry {
            router.get("/services/:name") { _, context in
                let service = context.parameters.get("name") ?? ""
                guard let urls = registry[service] else {
                    return Self.json(status: .notFound, ["status": "ERROR", "code": 404, "message": "unknown service", "errors": [Any]()])
                }
                let instances: [[String: Any]] = urls.enumerated().map { index, url in
                    let parsed = URLComponents(string: url)
                    return ["instanceId": "\(service)-\(index)", "serviceName": service, "host": parsed?.host ?? "",
                            "port": parsed?.port ?? 0, "url": url, "status": "UP", "metadata": [String: String](),
                            "registeredAt": "2025-01-01T00:00:00Z", "lastHeartbeatAt": "2025-01-01T00:00:00Z"]
                }
                return Self.json(status: .ok, ["status": "SUCCESS", "code": 200, "message": "OK",
                                               "data": ["name": service, "instances": instances]])
            }
        }
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete] {
            router.on("/**", method: method) { request, _ in
                seen.append(request.headers[.requestId] ?? "")
                let path = request.uri.path
                if path.hasSuffix("/stream-echo") {
                    return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                                    body: ResponseBody(asyncSequence: request.body))
                }
                if let range = path.range(of: "/status/"), let code = Int(path[range.upperBound...]) {
                    return Response(status: .init(code: code), headers: [.contentType: "text/plain", HTTPField.Name("X-Upstream")!: name],
                                    body: .init(byteBuffer: ByteBuffer(string: "upstream \(code)")))
                }
                if path.hasSuffix("/slow") {
                    try await Task.sleep(for: .seconds(8))
                }
                if let range = path.range(of: "/barrier/"), let count = Int(path[range.upperBound...]) {
                    // Answers once `count` requests wait here together (at most 30 s): proof they were in flight at once.
                    let arrived = seen.barrier.withLock { $0 += 1; return $0 }
                    let deadline = ContinuousClock.now + .seconds(30)
                    var together = arrived >= count
                    while !together, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(10))
                        together = seen.barrier.withLock { $0 } >= count
                    }
                    return Self.json(status: together ? .ok : .gatewayTimeout, ["upstream": name, "together": together])
                }
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let body = try await request.body.collect(upTo: 1 << 20)
                return Self.json(status: .ok, ["upstream": name, "method": request.method.rawValue, "path": request.head.path ?? "",
                                               "headers": headers, "bodyBytes": body.readableBytes])
            }
        }
        server = try await LiveServer(name) { onServerRunning in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
                        onServerRunning: onServerRunning, logger: Logger(label: "echo-\(name)"))
        }
    }

    func stop() async { await server.stop() }

    static func json(status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The X-Request-Id values an upstream saw.
final class RequestLog: Sendable {
    private let values = Mutex<[String]>([])
    func append(_ id: String) { values.withLock { $0.append(id) } }
    var ids: [String] { values.withLock { $0 } }
    /// Requests that reached `/barrier/<n>`.
    let barrier = Mutex(0)
}

extension EnvelopeClient.Answer {
    /// The name of the `EchoUpstream` that answered.
    var upstream: String? { json["upstream"]?.stringValue }
    /// The request headers the upstream saw, by lowercased name.
    var upstreamHeaders: [String: String] { json["headers"]?.objectValue?.compactMapValues { $0.stringValue } ?? [:] }
}
