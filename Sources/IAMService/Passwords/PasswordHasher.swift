import CArgon2
import Foundation
import ServiceKit
import NIOPosix

/// argon2id password hashes in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) through
/// the reference libargon2. Hashing and verifying are CPU- and memory-heavy (tens of ms), so the async
/// methods run them on NIO's blocking thread pool, never on the cooperative pool.
public struct PasswordHasher: Sendable {
    /// argon2id cost parameters. `memoryKiB` is argon2's `m` (in KiB), `iterations` its `t`, `parallelism`
    /// its `p`.
    public struct Parameters: Sendable, Equatable {
        public var memoryKiB: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }

        /// OWASP's argon2id baseline: m=19 MiB, t=2, p=1 (about 45 ms here).
        public static let owaspDefault = Parameters(memoryKiB: 19 * 1024, iterations: 2, parallelism: 1)
        /// Cheap parameters for tests only; never use them for real accounts.
        public static let insecureFastForTests = Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
    }

    public let parameters: Parameters
    private let threadPool: NIOThreadPool

    static let saltLength = 16
    static let hashLength = 32
    /// Longer inputs are refused before hashing so a huge body cannot buy a long hash.
    static let maximumPasswordBytes = 4096

    public init(parameters: Parameters = .owaspDefault, threadPool: NIOThreadPool = .singleton) {
        self.parameters = parameters
        self.threadPool = threadPool
    }

    /// A PHC string for `password` with a fresh random salt.
    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await threadPool.runIfActive { try Self.hashSync(password, parameters: parameters) }
    }

    /// Constant-time verification (libargon2 compares with a constant-time loop). A malformed stored hash
    /// verifies as false rather than throwing, so a corrupt row looks like a wrong password.
    public func verify(_ password: String, against phc: String) async throws -> Bool {
        try await threadPool.runIfActive { Self.verifySync(password, against: phc) }
    }

    /// Verifies against a fixed hash with this hasher's parameters, for logins with an unknown email: the
    /// work (and so the time) equals that of a real verification, and the result is ignored.
    public func verifyDummy(_ password: String) async throws {
        let dummy = dummyHash
        _ = try await threadPool.runIfActive { Self.verifySync(password, against: dummy) }
    }

    /// True when `phc` was made with other parameters (or another algorithm) than this hasher's, so the
    /// password should be rehashed after the next successful login.
    public func needsRehash(_ phc: String) -> Bool {
        guard let stored = Self.parseParameters(phc) else { return true }
        return stored != parameters
    }

    /// A well-formed argon2id PHC string with this hasher's parameters and fixed salt and hash. No password
    /// produces it in practice; verifying against it costs exactly one hash with these parameters.
    public var dummyHash: String {
        "$argon2id$v=19$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=\(parameters.parallelism)"
            + "$c2hvcC1pYW0tZHVtbXktc2FsdA$ZHVtbXktaGFzaC1mb3ItdW5rbm93bi1lbWFpbHMhISE"
    }

    // MARK: - Synchronous core (runs on the thread pool)

    static func hashSync(_ password: String, parameters: Parameters) throws -> String {
        let passwordBytes = Array(password.utf8)
        guard passwordBytes.count <= maximumPasswordBytes else {
            throw IAMError.validation([FieldError(field: "password", message: "is too long")])
        }
        var salt = [UInt8](repeating: 0, count: saltLength)
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux: a CSPRNG
        for index in salt.indices { salt[index] = generator.next() }
        let encodedLength = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(saltLength), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let result = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            passwordBytes, passwordBytes.count, salt, salt.count, hashLength, &encoded, encodedLength)
        guard result == ARGON2_OK.rawValue else {
            throw IAMError.internalFailure("argon2id hashing failed: \(errorMessage(result))")
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifySync(_ password: String, against phc: String) -> Bool {
        verifyCode(password, against: phc) == ARGON2_OK.rawValue
    }

    /// libargon2's result code (`ARGON2_OK`, `mismatchCode`, or a decoding error).
    static func verifyCode(_ password: String, against phc: String) -> Int32 {
        let passwordBytes = Array(password.utf8)
        guard passwordBytes.count <= maximumPasswordBytes, phc.hasPrefix("$argon2id$") else { return -1 }
        return argon2id_verify(phc, passwordBytes, passwordBytes.count)
    }

    static let mismatchCode: Int32 = ARGON2_VERIFY_MISMATCH.rawValue

    /// Reads `m`, `t`, `p` from `$argon2id$v=19$m=…,t=…,p=…$…`; nil for anything else.
    static func parseParameters(_ phc: String) -> Parameters? {
        let parts = phc.split(separator: "$", omittingEmptySubsequences: false)
        // ["", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash]
        guard parts.count == 6, parts[1] == "argon2id", parts[2] == "v=19" else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in parts[3].split(separator: ",") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            guard keyValue.count == 2, let value = UInt32(keyValue[1]) else { return nil }
            values[keyValue[0]] = value
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        return Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }

    private static func errorMessage(_ code: Int32) -> String {
        guard let message = argon2_error_message(code) else { return "code \(code)" }
        return String(cString: message)
    }
}
