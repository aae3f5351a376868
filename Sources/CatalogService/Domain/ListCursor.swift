import Crypto
import Foundation

/// A keyset position: the last item's sort key and id. Rows after it in the list's order are the next
/// page, so inserts and deletes elsewhere never shift what a client has not seen yet (no repeats, no skips).
public struct ListPosition: Sendable, Equatable {
    public enum Key: Sendable, Equatable {
        case integer(Int64)
        case text(String)
        /// A relevance rank, kept as its exact bit pattern.
        case real(Double)
    }

    public var key: Key
    public var id: String
}

/// The opaque `cursor` of a list answer: the position, plus a tag that hashes the position together with
/// the fingerprint of the query that produced it. A cursor presented with other filters, another sort or
/// another scope, or with any byte changed, fails the tag check and is refused with 400.
///
/// Form: `base64url(position JSON) "." base64url(first 12 bytes of SHA-256(fingerprint "\n" position JSON))`.
enum ListCursor {
    private struct Payload: Codable {
        var i: Int64?
        var s: String?
        var r: UInt64?
        var id: String
    }

    static func encode(_ position: ListPosition, fingerprint: String) -> String {
        var payload = Payload(id: position.id)
        switch position.key {
        case .integer(let value): payload.i = value
        case .text(let value): payload.s = value
        case .real(let value): payload.r = value.bitPattern
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(payload)) ?? Data()
        return Base64URLText.encode(json) + "." + Base64URLText.encode(tag(json, fingerprint: fingerprint))
    }

    /// The position, or nil when the cursor is malformed or belongs to another query.
    static func decode(_ cursor: String, fingerprint: String) -> ListPosition? {
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        guard cursor.utf8.count <= 2048, parts.count == 2,
              let json = Base64URLText.decode(String(parts[0])), let tag = Base64URLText.decode(String(parts[1])),
              tag == Self.tag(json, fingerprint: fingerprint),
              let payload = try? JSONDecoder().decode(Payload.self, from: json) else { return nil }
        switch (payload.i, payload.s, payload.r) {
        case (let value?, nil, nil): return ListPosition(key: .integer(value), id: payload.id)
        case (nil, let value?, nil): return ListPosition(key: .text(value), id: payload.id)
        case (nil, nil, let bits?): return ListPosition(key: .real(Double(bitPattern: bits)), id: payload.id)
        default: return nil
        }
    }

    private static func tag(_ json: Data, fingerprint: String) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data(fingerprint.utf8))
        hasher.update(data: Data([0x0A]))
        hasher.update(data: json)
        return Data(hasher.finalize().prefix(12))
    }
}

enum Base64URLText {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        guard text.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "=") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
