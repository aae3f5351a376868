import Foundation
import Testing
@testable import ConfigServer

/// What the server does with the directory it is given: a plain directory becomes a git snapshot, bad files
/// and missing directories give clear errors, and the operational routes still answer.
@Suite struct RepositoryTests {
    @Test func aPlainDirectoryIsSnapshottedIntoGitAndServed() async throws {
        let directory = try GitRepoFixture.plainDirectory([
            "application.properties": "LOG_LEVEL=info\n", "iam.properties": "TTL=100\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshot = NSTemporaryDirectory() + "config-snapshot-" + UUID().uuidString + "/snapshot.git"
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let extra = ["CONFIG_SNAPSHOT_DIR": snapshot]

        let firstVersion = try await ConfigServerFixture.withServer(repository: directory, extra: extra) { client in
            let answer = try await client.get("/iam/default")
            #expect(try answer.environment.properties == ["LOG_LEVEL": "info", "TTL": "100"])
            #expect(try answer.environment.label == "main")
            return try answer.environment.version
        }
        // No nested .git in the directory itself; the snapshot is a bare repository elsewhere, by a fixed author.
        #expect(!FileManager.default.fileExists(atPath: directory + "/.git"))
        #expect(try GitRepoFixture.run(["--git-dir=\(snapshot)", "log", "-1", "--format=%an <%ae>"])
                == "\(PlainDirectorySnapshot.authorName) <\(PlainDirectorySnapshot.authorEmail)>")

        // Unchanged files: same commit. Changed files: a new commit, served at the next start.
        let secondVersion = try await ConfigServerFixture.withServer(repository: directory, extra: extra) { client in
            try await client.get("/iam/default").environment.version
        }
        #expect(secondVersion == firstVersion)
        try "TTL=200\n".write(toFile: directory + "/iam.properties", atomically: true, encoding: .utf8)
        try await ConfigServerFixture.withServer(repository: directory, extra: extra) { client in
            let answer = try await client.get("/iam/default")
            #expect(try answer.environment.properties["TTL"] == "200")
            #expect(try answer.environment.version != firstVersion)
            // The earlier snapshot stays addressable by its commit id.
            let earlier = try await client.properties("/iam/default/\(firstVersion)")
            #expect(earlier["TTL"] == "100")
        }
    }

    @Test func theShippedSampleRepositoryServesIAMAndGateway() async throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config-repo").path
        let copy = NSTemporaryDirectory() + "config-sample-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: sample, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await ConfigServerFixture.withServer(repository: copy) { client in
            let iam = try await client.properties("/iam/dev")
            #expect(iam["LOG_LEVEL"] == "debug")
            #expect(iam["IAM_ACCESS_TOKEN_TTL_SECONDS"] == "3600")
            #expect(try await client.properties("/iam/default")["IAM_ACCESS_TOKEN_TTL_SECONDS"] == "900")
            #expect(try await client.properties("/gateway/default")["GATEWAY_AUTH_RATE_BURST"] == "20")
        }
    }

    @Test func aMalformedFileIsAClearServerError() async throws {
        let repo = try GitRepoFixture()
        defer { repo.remove() }
        try repo.commit("bad", files: ["application.properties": "A=1\n# fine\nthis line has no equals sign\n"])
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let answer = try await client.get("/iam/default")
            #expect(answer.status == 500)
            #expect((answer.message ?? "").contains("application.properties"))
            #expect((answer.message ?? "").contains("line 3"))
        }
    }

    @Test func healthRoutesAreNotTakenForApplications() async throws {
        let repo = try GitRepoFixture()
        defer { repo.remove() }
        try repo.commit("one", files: ["application.properties": "A=1\n"])
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            #expect(try await client.get("/health/live").status == 200)
            let ready = try await client.get("/health/ready")
            #expect(ready.status == 200)
            #expect(ready.text.contains("repository"))
        }
    }

    @Test func aMissingDirectoryFailsStartUpNamingTheVariable() async throws {
        let missing = NSTemporaryDirectory() + "no-such-config-" + UUID().uuidString
        do {
            _ = try await ConfigServerFixture.makeApp(repository: missing)
            Issue.record("start-up should fail")
        } catch {
            #expect("\(error)".contains("CONFIG_REPO_DIR"))
            #expect("\(error)".contains(missing))
        }
    }

    @Test func propertiesFormat() throws {
        let text = "\u{FEFF}# comment\n! also a comment\n\n  KEY = value with spaces  \r\nURL=http://x/?a=b#frag\nEMPTY=\nKEY=later\n"
        #expect(try PropertiesFile.parse(Data(text.utf8)) == ["KEY": "later", "URL": "http://x/?a=b#frag", "EMPTY": ""])
        #expect(throws: PropertiesFile.LineError(line: 2, reason: "expected KEY=value")) {
            try PropertiesFile.parse(Data("A=1\nnope\n".utf8))
        }
        #expect(throws: PropertiesFile.LineError.self) { try PropertiesFile.parse(Data("1A=x\n".utf8)) }
        #expect(throws: PropertiesFile.LineError.self) { try PropertiesFile.parse(Data("=x\n".utf8)) }
    }
}
