import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Real HTTP to the gateway with AsyncHTTPClient; answers with status, headers, raw body and JSON.
struct GatewayClient {
    let baseURL: String

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        var text: String { String(buffer: body) }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        }

        /// The envelope's `status` and `code`, nil when the body is not an envelope.
        var envelopeStatus: String? { json["status"] as? String }
        var envelopeCode: Int? { json["code"] as? Int }
        var message: String? { json["message"] as? String }
        func header(_ name: String) -> String? { headers.first(name: name) }
        /// What an `EchoUpstream` saw, from its JSON answer.
        var upstream: String? { json["upstream"] as? String }
        var upstreamHeaders: [String: String] { json["headers"] as? [String: String] ?? [:] }
    }

    func send(_ method: HTTPMethod, _ path: String, bearer: String? = nil, headers: [(String, String)] = [],
              body: HTTPClientRequest.Body? = nil, maxBytes: Int = 1 << 20) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = body }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: maxBytes)
        return Answer(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    func get(_ path: String, bearer: String? = nil, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.GET, path, bearer: bearer, headers: headers)
    }

    func post(_ path: String, json: String = "{}", bearer: String? = nil) async throws -> Answer {
        try await send(.POST, path, bearer: bearer, headers: [("Content-Type", "application/json")], body: .bytes(ByteBuffer(string: json)))
    }
}

