import Hummingbird
import HTTPTypes

extension HTTPField.Name {
    /// draft-ietf-httpapi-idempotency-key-header: the client's key for one logical request.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// Set to `true` on an answer replayed from the idempotency table instead of executed again.
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

/// The `Idempotency-Key` request header, validated (API.md §1.7).
///
/// The draft defines the field as a Structured Field String (RFC 8941), so `"abc"` with quotes is the
/// canonical form; most clients (Stripe's included) send the bare token. Both are accepted and mean the
/// same key. The key itself must be 1–255 printable ASCII characters (0x20–0x7E).
public enum IdempotencyKey {
    public static let maximumLength = 255

    /// The key of `headers`; nil when absent. 400 (`errors[0].field` = `Idempotency-Key`) when it is
    /// present but empty, repeated, too long or not printable ASCII.
    public static func parse(_ headers: HTTPFields) throws -> String? {
        let values = headers[values: .idempotencyKey]
        guard let raw = values.first else { return nil }
        guard values.count == 1 else { throw invalid("must be sent once") }
        var key = Substring(raw)
        if key.count >= 2, key.first == "\"", key.last == "\"" {
            key = key.dropFirst().dropLast()
            // sf-string escapes: \" and \\ (RFC 8941 §3.3.3).
            var unescaped = ""
            var escaping = false
            for character in key {
                if escaping {
                    guard character == "\"" || character == "\\" else { throw invalid("is not a valid quoted string") }
                    unescaped.append(character)
                    escaping = false
                }
                else if character == "\\" { escaping = true }
                else if character == "\"" { throw invalid("is not a valid quoted string") }
                else { unescaped.append(character) }
            }
            if escaping { throw invalid("is not a valid quoted string") }
            key = Substring(unescaped)
        } else if key.contains(where: { $0 == "\"" || $0 == "\\" }) {
            throw invalid("must be quoted (RFC 8941) to contain \" or \\")
        }
        guard !key.isEmpty else { throw invalid("must not be empty") }
        guard key.utf8.count <= maximumLength else { throw invalid("must be at most \(maximumLength) characters") }
        guard key.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
            throw invalid("must be printable ASCII")
        }
        return String(key)
    }

    /// The header as `/openapi.json` states it on the routes that require it, exactly what `parse` takes:
    /// bare, 1–255 printable ASCII characters without quotes or backslashes and no space at either end
    /// (HTTP trims those); or an sf-string, quoted, whose 1–255 characters may escape \" and \\.
    public static func documented(required: Bool) -> OperationDoc.HeaderParameter {
        OperationDoc.HeaderParameter(
            "Idempotency-Key", "a unique key per logical request (a UUID, say); reuse it only to retry that request",
            required: required, length: 1...2 * maximumLength + 2,
            pattern: #"[!#-\[\]-~](?:[ !#-\[\]-~]{0,253}[!#-\[\]-~])?|"(?:[ !#-\[\]-~]|\\["\\]){1,255}""#)
    }

    static func invalid(_ message: String) -> APIError {
        APIError.validation([FieldError(field: "Idempotency-Key", message: message)])
    }

    static let missing = APIError.validation([FieldError(field: "Idempotency-Key",
        message: "is required on this endpoint: send a unique key (for example a UUID) and reuse it only to retry")])
}
