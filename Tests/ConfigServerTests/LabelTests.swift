import Foundation
import Testing
@testable import ConfigServer

/// The same file at a branch, a tag and a commit gives different values; labels are validated.
@Suite struct LabelTests {
    struct History {
        let repo: GitRepoFixture
        let first: String
        let second: String
        let onBranch: String
    }

    /// main: c1 (TTL 100, tag v1) → c2 (TTL 200); branch release/eu from c1: c3 (TTL 300); HEAD back on main,
    /// with an uncommitted edit in the work tree (never served).
    static func history(initialBranch: String = "main") throws -> History {
        let repo = try GitRepoFixture(initialBranch: initialBranch)
        let first = try repo.commit("one", files: ["application.properties": "LOG_LEVEL=info\n", "iam.properties": "TTL=100\n"])
        try repo.git("tag", "v1")
        let second = try repo.commit("two", files: ["iam.properties": "TTL=200\n"])
        try repo.git("checkout", "--quiet", "-b", "release/eu", first)
        let onBranch = try repo.commit("three", files: ["iam.properties": "TTL=300\n", "iam-eu.properties": "REGION=eu\n"])
        try repo.git("checkout", "--quiet", initialBranch)
        try repo.write("iam.properties", "TTL=999-uncommitted\n")
        return History(repo: repo, first: first, second: second, onBranch: onBranch)
    }

    @Test func branchTagAndCommitGiveTheirOwnValues() async throws {
        let history = try Self.history()
        defer { history.repo.remove() }
        try await ConfigServerFixture.withServer(repository: history.repo.directory) { client in
            let byDefault = try await client.get("/iam/default")
            #expect(try byDefault.environment.properties["TTL"] == "200")
            #expect(try byDefault.environment.label == "main")
            #expect(try byDefault.environment.version == history.second)

            #expect(try await client.properties("/iam/default/main")["TTL"] == "200")

            let tag = try await client.get("/iam/default/v1")
            #expect(try tag.environment.properties["TTL"] == "100")
            #expect(try tag.environment.label == "v1")
            #expect(try tag.environment.version == history.first)

            let branch = try await client.get("/iam/eu/release(_)eu")
            #expect(try branch.environment.properties == ["LOG_LEVEL": "info", "TTL": "300", "REGION": "eu"])
            #expect(try branch.environment.label == "release/eu")
            #expect(try branch.environment.version == history.onBranch)

            let commit = try await client.get("/iam/default/\(history.first)")
            #expect(try commit.environment.properties["TTL"] == "100")
            #expect(try commit.environment.version == history.first)
            #expect(try await client.properties("/iam/default/\(history.second.prefix(10))")["TTL"] == "200")
        }
    }

    @Test func unknownLabelIs404InTheEnvelope() async throws {
        let history = try Self.history()
        defer { history.repo.remove() }
        try await ConfigServerFixture.withServer(repository: history.repo.directory) { client in
            for label in ["nope", "v2", "release(_)us", String(repeating: "0", count: 40)] {
                let answer = try await client.get("/iam/default/\(label)")
                #expect(answer.status == 404, "label \(label)")
                #expect(answer.envelopeStatus == "ERROR")
                #expect((answer.message ?? "").contains("Unknown label"))
            }
        }
    }

    @Test func invalidNamesAre400BeforeGitRuns() async throws {
        let history = try Self.history()
        defer { history.repo.remove() }
        try await ConfigServerFixture.withServer(repository: history.repo.directory) { client in
            for path in ["/iam/default/main~1", "/iam/default/-v", "/iam/default/a..b", "/iam/default/HEAD@%7B1%7D",
                         "/iam/default/v1:iam.properties", "/-iam/default", "/iam/dev,,eu", "/iam/..", "/i%2Fam/default"] {
                let answer = try await client.get(path)
                #expect(answer.status == 400, "\(path): \(answer.message ?? "")")
                #expect(answer.envelopeStatus == "ERROR")
                #expect(answer.errorFields.isEmpty == false, "\(path)")
            }
        }
    }

    @Test func defaultLabelIsHeadsBranchOrTheConfiguredOne() async throws {
        let history = try Self.history(initialBranch: "trunk")
        defer { history.repo.remove() }
        try await ConfigServerFixture.withServer(repository: history.repo.directory) { client in
            let answer = try await client.get("/iam/default")
            #expect(try answer.environment.label == "trunk")
            #expect(try answer.environment.properties["TTL"] == "200")
        }
        try await ConfigServerFixture.withServer(repository: history.repo.directory, extra: ["CONFIG_DEFAULT_LABEL": "v1"]) { client in
            let answer = try await client.get("/iam/default")
            #expect(try answer.environment.label == "v1")
            #expect(try answer.environment.properties["TTL"] == "100")
        }
    }

    @Test func aDefaultLabelThatNamesNothingFailsStartUp() async throws {
        let history = try Self.history()
        defer { history.repo.remove() }
        await #expect(throws: (any Error).self) {
            _ = try await ConfigServerFixture.makeApp(repository: history.repo.directory, extra: ["CONFIG_DEFAULT_LABEL": "missing"])
        }
    }

    @Test func labelValidation() throws {
        for good in ["main", "v1.2.3", "release/eu", "release(_)eu", "feature_x-2", "3f1c0e5"] {
            #expect(throws: Never.self) { try ConfigLabel(good) }
        }
        #expect(try ConfigLabel("release(_)eu").name == "release/eu")
        for bad in ["", "-x", "/x", "x/", "a..b", "a//b", "a/.b", "x.lock", "x.", "x~1", "x^", "x@{1}", "x:y", "a b", String(repeating: "a", count: 201)] {
            #expect(throws: ConfigServerError.self, "\(bad)") { try ConfigLabel(bad) }
        }
    }
}
