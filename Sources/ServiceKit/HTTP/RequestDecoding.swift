import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body as JSON of type `T`, or a clear error: 415 when it is not declared as JSON, 413 above the
    /// context's body limit, 400 for malformed JSON, and 400 with one message per field for missing or
    /// wrongly typed fields.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: ServiceRequestContext) async throws -> T {
        try await decodeJSON(type, context: context) { _ in [] }
    }

    /// The body as JSON of type `T`, checked by the rules `T` declares (`ValidatedBody`) and by `validate`
    /// (the route's own rules, one message per field).
    /// Every problem is answered at once: the missing and mistyped fields, and what `validate` says about
    /// the others (it sees the body with stand-ins at the broken fields; its messages about those are dropped).
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: ServiceRequestContext,
                                         validate: (T) -> [FieldError]) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "Send the body as application/json")
        }
        let buffer = try await collectBody(limit: context.bodyLimit)
        return try FieldDecoding.decodeBody(T.self, body: buffer, contentType: headers[.contentType], validate: validate)
    }

    /// Like `decodeJSON(_:context:validate:)` for a body that may be left out: nil when it is empty.
    public func decodeOptionalJSON<T: Decodable>(_ type: T.Type, context: ServiceRequestContext,
                                                 validate: (T) -> [FieldError] = { _ in [] }) async throws -> T? {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "Send the body as application/json")
        }
        let buffer = try await collectBody(limit: context.bodyLimit)
        guard buffer.readableBytes > 0 else { return nil }
        return try FieldDecoding.decodeBody(T.self, body: buffer, contentType: headers[.contentType], validate: validate)
    }

    /// The body as `application/x-www-form-urlencoded` fields (RFC 6749 token requests).
    public func decodeForm(context: ServiceRequestContext) async throws -> [String: String] {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw APIError(.unsupportedMediaType, "Send the body as application/x-www-form-urlencoded")
        }
        let buffer = try await collectBody(limit: context.bodyLimit)
        return FormEncoding.parse(String(buffer: buffer))
    }

    private func collectBody(limit: Int) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.contentTooLarge(limit: limit)
        }
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: limit)
        }
    }
}

extension APIError {
    static func contentTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "The request body is larger than \(limit) bytes")
    }

    /// Turns a decoding failure into a 400 that names the field and what was expected.
    static func decoding(_ error: DecodingError) -> APIError {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .validation([FieldError(field: path(context.codingPath, key), message: "is required")])
        case .valueNotFound(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must be \(describe(type)), not null")])
        case .typeMismatch(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must be \(describe(type))")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("The request body is not valid JSON")
            }
            return .validation([FieldError(field: path(context.codingPath), message: "is invalid")])
        @unknown default:
            return .badRequest("The request body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

/// `application/x-www-form-urlencoded` parsing: `+` is a space, percent-escapes are decoded, the first
/// occurrence of a repeated name wins.
public enum FormEncoding {
    public static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if !name.isEmpty, fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension NIOTooManyBytesError: NIOTooManyBytesErrorMarker {}
