import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The standard answer of every endpoint:
/// `{"status":"SUCCESS","code":200,"message":…,"data":…}` or
/// `{"status":"ERROR","code":400,"message":…,"errors":[{"field":…,"message":…}]}`.
public struct Envelope<Payload: Encodable & Sendable>: Encodable, Sendable {
    public var status: String
    public var code: Int
    public var message: String
    public var data: Payload?
    public var errors: [FieldError]?

    enum CodingKeys: String, CodingKey { case status, code, message, data, errors }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        if status == "SUCCESS" {
            // `data` is always present on success, `null` when there is nothing to return.
            try container.encode(data, forKey: .data)
        } else {
            try container.encode(errors ?? [], forKey: .errors)
        }
    }
}

/// A successful answer in the envelope; return it from a route.
public struct EnvelopeResponse<Payload: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var data: Payload?
    public var headers: HTTPFields

    public init(_ data: Payload?, status: HTTPResponse.Status = .ok, message: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message ?? status.reasonPhrase
        self.data = data
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let envelope = Envelope(status: "SUCCESS", code: status.code, message: message, data: data, errors: nil)
        return try JSONBody.response(envelope, status: status, headers: headers)
    }
}

/// An answer with no payload (`data: null`).
public struct EmptyPayload: Encodable, Sendable {}

extension EnvelopeResponse where Payload == EmptyPayload {
    public static func message(_ message: String, status: HTTPResponse.Status = .ok) -> Self {
        EnvelopeResponse(nil, status: status, message: message)
    }
}

enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The error envelope for `error`; never throws (falls back to a fixed 500 body).
    static func errorResponse(_ error: APIError) -> Response {
        let envelope = Envelope<EmptyPayload>(status: "ERROR", code: error.status.code, message: error.message, data: nil, errors: error.errors)
        if let response = try? response(envelope, status: error.status, headers: error.headers) { return response }
        return Response(status: .internalServerError, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ERROR","code":500,"message":"Internal server error","errors":[]}"#)))
    }
}
