import Crypto
import Foundation
import NIOCore

/// The fingerprint that tells a retry (same key, same request) from a reused key (same key, another
/// request): SHA-256, in lowercase hex, of the body parsed as JSON and re-serialised canonically, with the
/// keys of every object sorted and no insignificant whitespace. Key order and whitespace do not change
/// it; any added, removed or changed value does. A body that is not JSON (or is empty) is hashed as raw bytes.
///
/// Numbers are canonicalised through `JSONValue`: an integer that fits `Int64` stays exact, anything else
/// is read as a `Double` (so `1.0` and `1.00` are the same request, and integers beyond `Int64` compare
/// at `Double` precision).
public enum RequestFingerprint {
    public static func of(_ body: ByteBuffer) -> String {
        of(Data(buffer: body))
    }

    public static func of(_ body: Data) -> String {
        hex(SHA256.hash(data: canonicalJSON(body) ?? body))
    }

    /// The canonical serialisation of `body`, or nil when it is not JSON.
    public static func canonicalJSON(_ body: Data) -> Data? {
        guard !body.isEmpty, let value = try? JSONDecoder().decode(JSONValue.self, from: body) else { return nil }
        return try? encoder.encode(value)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
