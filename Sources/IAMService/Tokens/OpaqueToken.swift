import Crypto
import Foundation
import ServiceKit

/// Refresh tokens: 256 random bits, base64url (43 characters). Only their SHA-256 is stored, so a copy of
/// the database does not yield usable tokens; a fast hash suffices because the input has full entropy.
enum OpaqueToken {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): a CSPRNG
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = generator.next() }
        return Base64URL.encode(Data(bytes))
    }

    /// Lowercase hex SHA-256 of the token's UTF-8 bytes.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
