import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Real HTTP over loopback to a service, answering the status, headers, raw body and the decoded
/// envelope: the one HTTP test client of every suite.
public struct EnvelopeClient: Sendable {
    public let baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer
        /// The body as JSON (`.null` when it is not JSON).
        public let json: JSONValue

        public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
            self.status = status
            self.headers = headers
            self.body = body
            json = (try? JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))) ?? .null
        }

        public var text: String { String(buffer: body) }
        public var data: JSONValue? { json["data"] }
        /// The envelope's `status` (`SUCCESS` / `ERROR`) and `code`; nil when the body is not an envelope.
        public var envelopeStatus: String? { json["status"]?.stringValue }
        public var code: Int? { json["code"]?.intValue }
        public var message: String? { json["message"]?.stringValue }
        public var errorFields: [String] { json["errors"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [] }
        public func header(_ name: String) -> String? { headers.first(name: name) }

        /// `data` decoded as `T`.
        public func decodeData<T: Decodable>(_ type: T.Type) throws -> T {
            try JSONDecoder().decode(DataMember<T>.self, from: Data(body.readableBytesView)).data
        }
    }

    /// Sends one request. The body is `json`, a form, `raw` text with its content type, or any `body`.
    public func send(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, form: [String: String]? = nil,
                     raw: (String, contentType: String)? = nil, bearer: String? = nil, headers extra: [(String, String)] = [],
                     body: HTTPClientRequest.Body? = nil, maxBytes: Int = 4 << 20,
                     timeout: TimeAmount = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let encoded = form.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
            }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: encoded))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: raw.contentType)
            request.body = .bytes(ByteBuffer(string: raw.0))
        } else if let body {
            request.body = body
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: maxBytes)
        return Answer(status: Int(response.status.code), headers: response.headers, body: bytes)
    }

    public func get(_ path: String, bearer: String? = nil, headers: [(String, String)] = []) async throws -> Answer {
        try await send(.GET, path, bearer: bearer, headers: headers)
    }

    /// POST of a JSON text as written (malformed JSON included).
    public func post(_ path: String, json text: String = "{}", bearer: String? = nil) async throws -> Answer {
        try await send(.POST, path, raw: (text, contentType: "application/json"), bearer: bearer)
    }
}

/// The `data` member of an envelope.
private struct DataMember<T: Decodable>: Decodable {
    var data: T
}
