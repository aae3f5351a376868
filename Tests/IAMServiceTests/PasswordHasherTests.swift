import Testing

@testable import IAMService

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(parameters: .insecureFastForTests)

    @Test func hashIsArgon2idPHCWithTheConfiguredParameters() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$v=19$m=64,t=1,p=1$"))
        #expect(hash.split(separator: "$").count == 5)
    }

    @Test func verifyAcceptsTheRightPasswordAndRejectsWrongOnes() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(try await hasher.verify("correct horse battery", against: hash))
        #expect(try await !hasher.verify("correct horse batterY", against: hash))
        #expect(try await !hasher.verify("", against: hash))
        #expect(try await !hasher.verify("correct horse battery", against: "not a hash"))
    }

    @Test func saltsDiffer() async throws {
        let first = try await hasher.hash("same password here")
        let second = try await hasher.hash("same password here")
        #expect(first != second)
    }

    @Test func needsRehashWhenParametersOrAlgorithmDiffer() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(!hasher.needsRehash(hash))
        let stronger = PasswordHasher(parameters: .init(memoryKiB: 128, iterations: 2, parallelism: 1))
        #expect(stronger.needsRehash(hash))
        #expect(hasher.needsRehash("$2b$12$abcdefghijklmnopqrstuv"))
        #expect(hasher.needsRehash(""))
    }

    @Test func dummyHashIsWellFormedSoItCostsAFullVerification() async throws {
        // A decodable PHC string makes libargon2 compute the hash (mismatch), not bail out early.
        #expect(PasswordHasher.parseParameters(hasher.dummyHash) == hasher.parameters)
        #expect(PasswordHasher.verifyCode("anything", against: hasher.dummyHash) == PasswordHasher.mismatchCode)
        try await hasher.verifyDummy("anything")
    }

    @Test func owaspDefaultsAreTheBaseline() {
        #expect(PasswordHasher.Parameters.owaspDefault == .init(memoryKiB: 19_456, iterations: 2, parallelism: 1))
        #expect(PasswordHasher().parameters == .owaspDefault)
    }
}
