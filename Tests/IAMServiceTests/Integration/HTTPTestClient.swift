import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Real HTTP over loopback to a service process, answering the decoded envelope.
struct HTTPTestClient {
    let baseURL: String

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var json: JSONValue
        var text: String

        var data: JSONValue? { json["data"] }
        var envelopeStatus: String? { json["status"]?.stringValue }
        var code: Int? { json["code"]?.intValue }
        var message: String? { json["message"]?.stringValue }
        var errorFields: [String] { json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [] }
    }

    func send(_ method: HTTPMethod, _ path: String, json body: [String: JSONValue]? = nil, form: [String: String]? = nil,
              raw: (String, contentType: String)? = nil, bearer: String? = nil, headers extra: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(JSONValue.object(body))))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let encoded = form.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
            }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: encoded))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: raw.contentType)
            request.body = .bytes(ByteBuffer(string: raw.0))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let text = String(buffer: buffer)
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        return Answer(status: Int(response.status.code), headers: response.headers, json: json, text: text)
    }
}

