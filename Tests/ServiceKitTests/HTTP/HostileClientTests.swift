import Foundation
import ShopTestSupport
import Testing

/// What a hostile client can do to any service (ServiceKit's HTTP layer, here in a real `shop serve discovery`
/// process): stalled connections are closed at the idle timeout, requests the parser refuses are answered
/// in the envelope and closed, a hang-up mid-body is not a server error, and the service keeps answering.
@Suite(.serialized) struct HostileClientTests {
    static func service() async throws -> (ServiceProcess, String) {
        let data = NSTemporaryDirectory() + "hostile-" + UUID().uuidString
        let process = try await ServiceProcess(service: "discovery", environment: [
            "DATA_DIR": data, "LOG_LEVEL": "warning", "HTTP_IDLE_TIMEOUT_SECONDS": "2",
        ], logFile: data + "-discovery.log")
        return (process, data)
    }

    static func metric(_ service: ServiceProcess, _ prefix: String) async throws -> [String] {
        try await EnvelopeClient(baseURL: service.baseURL).get("/metrics").text.split(separator: "\n")
            .filter { $0.hasPrefix(prefix) }.map(String.init)
    }

    @Test func stalledConnectionsAreClosedAtTheIdleTimeout() async throws {
        let (service, data) = try await Self.service()
        defer { service.cleanUp(removing: [data, data + "-discovery.log"]) }
        let stalls: [String] = [
            "",                                                     // connects and sends nothing
            "GET /servi",                                           // half a request line
            "GET /services HTTP/1.1\r\nHost: x\r\n",                // headers that never end
            "POST /services/x/instances HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":",
        ]
        // Twenty at once, five of each kind; the service answers others meanwhile.
        let exchanges = try await withThrowingTaskGroup(of: SourceBoundHTTP.RawExchange.self) { group in
            for index in 0..<20 {
                group.addTask { try await SourceBoundHTTP.raw(port: service.port, bytes: Array(stalls[index % 4].utf8)) }
            }
            #expect(try await EnvelopeClient(baseURL: service.baseURL).get("/health/live").status == 200)
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Closed by the service (a 60 s wait would run out otherwise), with nothing or a 499 nobody reads.
        #expect(exchanges.allSatisfy { $0.closedByServer }, "\(exchanges.map(\.seconds))")
        #expect(exchanges.allSatisfy { !$0.received.contains(" 500 ") })
        #expect(try await EnvelopeClient(baseURL: service.baseURL).get("/health/live").status == 200)
        // The abandoned body counts as the client's doing, never as a 5xx.
        let requests = try await Self.metric(service, "http_requests_total{")
        #expect(!requests.contains { $0.contains("status=\"5") }, "\(requests)")
        #expect(requests.contains { $0.contains("status=\"499\"") })
    }

    /// A byte every 300 ms never lets the connection idle, so only the request deadlines can end it: the
    /// headers within `HTTP_REQUEST_HEAD_TIMEOUT_SECONDS`, the body within `HTTP_REQUEST_BODY_TIMEOUT_SECONDS`.
    @Test func tricklingClientsAreClosedAtTheRequestDeadlines() async throws {
        let data = NSTemporaryDirectory() + "hostile-" + UUID().uuidString
        let service = try await ServiceProcess(service: "discovery", environment: [
            "DATA_DIR": data, "LOG_LEVEL": "warning", "HTTP_IDLE_TIMEOUT_SECONDS": "600",
            "HTTP_REQUEST_HEAD_TIMEOUT_SECONDS": "2", "HTTP_REQUEST_BODY_TIMEOUT_SECONDS": "2",
        ], logFile: data + "-discovery.log")
        defer { service.cleanUp(removing: [data, data + "-discovery.log"]) }
        let headers = "GET /services HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Slow: 1\r\n", count: 400)
        let body = "POST /services/x/instances HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        async let slowHeaders = SourceBoundHTTP.trickle(port: service.port, bytes: Array(headers.utf8), interval: .milliseconds(300), bound: .seconds(90))
        // The body's headers arrive at once; then its bytes trickle.
        async let slowBody = SourceBoundHTTP.trickle(port: service.port, prefix: Array(body.utf8),
                                                     bytes: Array(repeating: UInt8(ascii: " "), count: 1000),
                                                     interval: .milliseconds(300), bound: .seconds(90))
        #expect(try await EnvelopeClient(baseURL: service.baseURL).get("/health/live").status == 200)
        let (head, slow) = try await (slowHeaders, slowBody)
        // Without the deadlines both would trickle on until the 90 s bound (or, for the body, to its end).
        #expect(head.closedByServer, "headers: \(head.seconds) s")
        #expect(slow.closedByServer && !slow.received.contains("HTTP/1.1 2"), "body: \(slow.seconds) s, \(slow.received.prefix(200))")
        #expect(try await EnvelopeClient(baseURL: service.baseURL).get("/health/live").status == 200)
        let requests = try await Self.metric(service, "http_requests_total{")
        #expect(!requests.contains { $0.contains("status=\"5") }, "\(requests)")
    }

    @Test func requestsTheParserRefusesGetTheEnvelopeAndAClosedConnection() async throws {
        let (service, data) = try await Self.service()
        defer { service.cleanUp(removing: [data, data + "-discovery.log"]) }
        let refused: [(String, String)] = [
            ("a 100 KB URL", "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
            ("a 1 MB header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 1 << 20) + "\r\n\r\n"),
            ("2,000 headers", "GET / HTTP/1.1\r\n" + (0..<2000).map { "X-H\($0): v\r\n" }.joined() + "\r\n"),
            ("Content-Length: -1", "POST /services HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
            ("Content-Length: abc", "POST /services HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
            ("Content-Length: 10^23", "POST /services HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000000000000000\r\n\r\n"),
            ("Content-Length with chunked", "POST /services HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ]
        for (what, request) in refused {
            let exchange = try await SourceBoundHTTP.raw(port: service.port, bytes: Array(request.utf8))
            #expect(exchange.received.hasPrefix("HTTP/1.1 400"), "\(what): \(exchange.received.prefix(200))")
            #expect(exchange.received.contains("application/json") && exchange.received.contains(#""status":"ERROR""#)
                    && exchange.received.contains(#""code":400"#), "\(what): \(exchange.received.prefix(300))")
            #expect(exchange.closedByServer, "\(what)")
        }
        for method in ["CONNECT example.com:443", "TRACE /services"] {
            let exchange = try await SourceBoundHTTP.raw(port: service.port, bytes: Array("\(method) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(exchange.received.hasPrefix("HTTP/1.1 405") && exchange.received.contains("Allow: "), "\(method): \(exchange.received)")
            #expect(exchange.closedByServer && exchange.seconds < 30, "\(method)")
        }
        #expect(try await EnvelopeClient(baseURL: service.baseURL).get("/health/live").status == 200)
    }
}
