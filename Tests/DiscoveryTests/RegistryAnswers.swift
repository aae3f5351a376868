import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Raw HTTP to the registry over loopback, answering the decoded envelope (to check exact JSON shapes
/// and error answers, which the typed `DiscoveryClient` hides).
struct RegistryTestClient {
    let baseURL: String

    struct Answer {
        var status: Int
        var json: JSONValue
        var text: String

        var data: JSONValue? { json["data"] }
        var envelopeStatus: String? { json["status"]?.stringValue }
        var errorFields: [String] { json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [] }
        var instances: [JSONValue] { data?["instances"]?.arrayValue ?? [] }
    }

    func send(_ method: HTTPMethod, _ path: String, json body: JSONValue? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let text = String(buffer: buffer)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        return Answer(status: Int(response.status.code), json: json, text: text)
    }

    func register(_ service: String, _ body: [String: JSONValue]) async throws -> Answer {
        try await send(.POST, "/services/\(service)/instances", json: .object(body))
    }
}


struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

