import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The right to execute one request: either a fresh or taken-over `IN_PROGRESS` row of the idempotency
/// table (fenced by its lease token), or, for a request without a key on a route where the key is
/// optional, nothing to record at all. It also carries the request body, which `begin` had to read to
/// fingerprint it: decode the input from here, not from the request.
public struct IdempotencyClaim: Sendable {
    /// Per endpoint: by default the method and the concrete path (`POST /payments/42/refunds`).
    public let scope: String
    /// `sub:<sub>` of the caller, or `anonymous` for a request without a principal.
    public let principal: String
    /// nil when the request carried no key (the route made it optional): nothing is stored.
    public let key: String?
    public let fingerprint: String
    /// Identifies this holder of the row: a takeover after the lease changes it, so a late completion by
    /// the first holder updates nothing and rolls back (see `Idempotency.complete`).
    let leaseToken: String
    /// The request body as received.
    public let body: ByteBuffer
    let contentType: String?

    /// The body as JSON of type `T`, with `Request.decodeJSON`'s answers: 415 when it is declared as
    /// something other than JSON, 400 for an empty or malformed body, and one 400 listing every missing or
    /// mistyped field.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decode(type) { _ in [] }
    }

    /// The body as JSON of type `T`, checked by `validate` (the route's own rules, one message per field),
    /// every problem answered at once as `Request.decodeJSON(_:context:validate:)` does.
    public func decode<T: Decodable>(_ type: T.Type, validate: (T) -> [FieldError]) throws -> T {
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "Send the body as application/json")
        }
        guard body.readableBytes > 0 else { throw APIError.badRequest("The request body is empty; send a JSON object") }
        let outcome: FieldDecoding.Outcome<T>
        do {
            outcome = try FieldDecoding.decode(T.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
        switch outcome {
        case .decoded(let value):
            let problems = validate(value)
            if !problems.isEmpty { throw APIError.validation(problems) }
            return value
        case .invalid(let errors, let standIn):
            let broken = Set(errors.map(\.field))
            let others = standIn.map { validate($0).filter { !broken.contains($0.field) } } ?? []
            throw APIError.validation(errors + others)
        }
    }
}

/// What `Idempotency.begin` decided.
public enum IdempotencyOutcome: Sendable {
    /// The key already completed with this fingerprint: send this stored answer, execute nothing.
    case replay(IdempotentAnswer)
    /// Execute the request, then `complete` the claim in the business write's transaction (or
    /// `release` it when the request fails).
    case proceed(IdempotencyClaim)
}

/// An answer as stored with its key: status, headers (the route's own, such as `Location`, and
/// `Content-Type`) and the exact body bytes, so that a replay is byte-identical.
public struct IdempotentAnswer: Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let headers: HTTPFields
    public let body: [UInt8]
    /// True when this answer comes from the table rather than from executing the request.
    public let replayed: Bool

    /// The response to send: the replay gets `Idempotent-Replayed: true`.
    public var response: Response {
        var fields = headers
        if replayed { fields[.idempotentReplayed] = "true" }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    init(status: HTTPResponse.Status, headers: HTTPFields, body: [UInt8], replayed: Bool) {
        self.status = status
        self.headers = headers
        self.body = body
        self.replayed = replayed
    }

    /// The envelope of `answer`, encoded exactly as `EnvelopeResponse` would send it.
    init<Payload: Encodable & Sendable>(_ answer: EnvelopeResponse<Payload>) throws {
        let envelope = Envelope(status: "SUCCESS", code: answer.status.code, message: answer.message, data: answer.data, errors: nil)
        var fields = answer.headers
        fields[.contentType] = "application/json; charset=utf-8"
        self.init(status: answer.status, headers: fields, body: Array(try JSONBody.encoder.encode(envelope)), replayed: false)
    }

    /// The headers as stored in `response_headers`: a JSON array of `[name, value]` pairs, in order.
    var storedHeaders: String {
        let pairs = headers.map { [$0.name.rawName, $0.value] }
        return (try? JSONEncoder().encode(pairs)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func headers(stored: String?) -> HTTPFields {
        guard let stored, let pairs = try? JSONDecoder().decode([[String]].self, from: Data(stored.utf8)) else { return [:] }
        var fields = HTTPFields()
        for pair in pairs where pair.count == 2 {
            if let name = HTTPField.Name(pair[0]) { fields.append(HTTPField(name: name, value: pair[1])) }
        }
        return fields
    }
}
