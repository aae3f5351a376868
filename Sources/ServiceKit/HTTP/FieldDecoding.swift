import Foundation
import NIOCore
import NIOFoundationCompat

/// Decodes a JSON body and, when it does not fit the type, finds every field that is missing or of the
/// wrong type instead of only the first one `JSONDecoder` stops at. It retries with a stand-in value at
/// each failing field (bounded), so the client learns all its mistakes in one answer; and it hands back
/// the value decoded with those stand-ins, so the caller's own rules can report the other fields too.
enum FieldDecoding {
    enum Outcome<T> {
        case decoded(T)
        /// Field errors (at least one) and, when the stand-ins made it decodable, the value with them.
        case invalid([FieldError], standIn: T?)
    }

    static let maximumRounds = 64

    /// A request body (already read) as JSON of type `T`, as routes see it: 415 for another content type,
    /// 400 for an empty body, malformed JSON, or every broken field together with what `validate` says
    /// about the others.
    static func decodeBody<T: Decodable>(_ type: T.Type, body: ByteBuffer, contentType: String?,
                                         validate routeRules: (T) -> [FieldError]) throws -> T {
        // A type's declared rules (`ValidatedBody`) come first; the route's own add what they do not cover.
        func validate(_ value: T) -> [FieldError] {
            let declared = (value as? any ValidatedBody)?.ruleProblems() ?? []
            return declared + routeRules(value).filter { extra in !declared.contains { $0.field == extra.field } }
        }
        if let contentType, !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "Send the body as application/json")
        }
        guard body.readableBytes > 0 else { throw APIError.badRequest("The request body is empty; send a JSON object") }
        let outcome: Outcome<T>
        do {
            outcome = try decode(T.self, from: Data(buffer: body))
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

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> Outcome<T> {
        let decoder = JSONDecoder()
        let firstError: DecodingError
        do {
            return .decoded(try decoder.decode(T.self, from: data))
        } catch let error as DecodingError {
            firstError = error
        }
        // Only an object body can be repaired field by field; anything else keeps the first error.
        guard var root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any] else {
            throw firstError
        }
        var errors: [FieldError] = []
        var standIns: [String: Int] = [:]   // field path -> index of the stand-in tried there
        var error = firstError
        for _ in 0..<maximumRounds {
            guard let (path, message) = describe(error) else { break }
            let field = name(path)
            let candidate: Int
            if let tried = standIns[field] {
                candidate = tried + 1
            } else {
                candidate = 0
                // A field inside a stand-in object is the stand-in's business, not the client's.
                if !standIns.keys.contains(where: { field.hasPrefix($0 + ".") || field.hasPrefix($0 + "[") }) {
                    errors.append(FieldError(field: field, message: message))
                }
            }
            guard candidate < standInValues.count, set(standInValues[candidate], at: path[...], in: &root) else { break }
            standIns[field] = candidate
            do {
                let repaired = try JSONSerialization.data(withJSONObject: root)
                let value = try decoder.decode(T.self, from: repaired)
                return .invalid(errors, standIn: value)
            } catch let next as DecodingError {
                error = next
            } catch {
                break
            }
        }
        if errors.isEmpty { throw firstError }
        return .invalid(errors, standIn: nil)
    }

    /// Tried in order at a failing field (made on use: `[Any]` is not Sendable, so it cannot be a static).
    private static var standInValues: [Any] { ["", 0, false, [Any](), [String: Any]()] }

    private static func describe(_ error: DecodingError) -> ([any CodingKey], String)? {
        switch error {
        case .keyNotFound(let key, let context):
            return (context.codingPath + [key], "is required")
        case .valueNotFound(let type, let context):
            return context.codingPath.isEmpty ? nil : (context.codingPath, "must be \(APIError.describe(type)), not null")
        case .typeMismatch(let type, let context):
            return context.codingPath.isEmpty ? nil : (context.codingPath, "must be \(APIError.describe(type))")
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? nil : (context.codingPath, "is invalid")
        @unknown default:
            return nil
        }
    }

    static func name(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    /// Sets `value` at `path` inside `container`; false when the path does not lead through objects and arrays.
    private static func set(_ value: Any, at path: ArraySlice<any CodingKey>, in container: inout [String: Any]) -> Bool {
        guard let key = path.first else { return false }
        if path.count == 1 {
            container[key.stringValue] = value
            return true
        }
        var child: Any = container[key.stringValue] ?? [String: Any]()
        guard set(value, at: path.dropFirst(), in: &child) else { return false }
        container[key.stringValue] = child
        return true
    }

    private static func set(_ value: Any, at path: ArraySlice<any CodingKey>, in node: inout Any) -> Bool {
        if var object = node as? [String: Any] {
            guard set(value, at: path, in: &object) else { return false }
            node = object
            return true
        }
        guard var array = node as? [Any], let key = path.first, let index = key.intValue, array.indices.contains(index) else { return false }
        if path.count == 1 {
            array[index] = value
        } else {
            var element = array[index]
            guard set(value, at: path.dropFirst(), in: &element) else { return false }
            array[index] = element
        }
        node = array
        return true
    }
}
