import Foundation
import Testing
@testable import ConfigServer

/// Which file wins, over real HTTP against a real git repository: shared < shared-profile < application <
/// application-profile, profiles left to right.
@Suite struct PrecedenceTests {
    static func repository() throws -> GitRepoFixture {
        let repo = try GitRepoFixture()
        try repo.commit("layers", files: [
            "application.properties": "# shared\nA=application\nB=application\nC=application\nD=application\nE=application\n",
            "application-dev.properties": "B=application-dev\nC=application-dev\nD=application-dev\nE=dev\n",
            "application-eu.properties": "E=eu\n",
            "iam.properties": "C=iam\nD=iam\n",
            "iam-dev.properties": "D=iam-dev\n",
            "gateway.properties": "C=gateway\n",
            "README.md": "not configuration\n",
        ])
        return repo
    }

    @Test func eachLevelOverridesTheLessSpecificOnes() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        let head = try repo.git("rev-parse", "HEAD")
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let answer = try await client.get("/iam/dev")
            #expect(answer.status == 200)
            #expect(answer.envelopeStatus == "SUCCESS")
            let environment = try answer.environment
            #expect(environment.name == "iam")
            #expect(environment.profiles == ["dev"])
            #expect(environment.label == "main")
            #expect(environment.version == head)
            #expect(environment.properties == ["A": "application", "B": "application-dev", "C": "iam", "D": "iam-dev", "E": "dev"])
            // Most specific first, like Spring Cloud Config; only files that exist.
            #expect(environment.propertySources.map(\.name) == ["iam-dev.properties", "iam.properties", "application-dev.properties", "application.properties"])
            #expect(environment.propertySources.first?.source == ["D": "iam-dev"])
        }
    }

    @Test func withoutProfileFilesOnlyTheSharedAndApplicationFilesApply() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let iam = try await client.properties("/iam/default")
            #expect(iam == ["A": "application", "B": "application", "C": "iam", "D": "iam", "E": "application"])
            let gateway = try await client.properties("/gateway/dev")
            #expect(gateway == ["A": "application", "B": "application-dev", "C": "gateway", "D": "application-dev", "E": "dev"])
            // An application without files of its own still gets the shared ones.
            let orders = try await client.properties("/orders/default")
            #expect(orders == ["A": "application", "B": "application", "C": "application", "D": "application", "E": "application"])
        }
    }

    @Test func commaSeparatedProfilesApplyLeftToRight() async throws {
        let repo = try Self.repository()
        defer { repo.remove() }
        try await ConfigServerFixture.withServer(repository: repo.directory) { client in
            let devEU = try await client.get("/iam/dev,eu")
            #expect(try devEU.environment.properties["E"] == "eu")
            #expect(try devEU.environment.profiles == ["dev", "eu"])
            #expect(try devEU.environment.propertySources.map(\.name)
                    == ["iam-dev.properties", "iam.properties", "application-eu.properties", "application-dev.properties", "application.properties"])
            #expect(try await client.properties("/iam/eu,dev")["E"] == "dev")
        }
    }

    @Test func mergeOrderOfFileNames() throws {
        let names = ConfigResolver.fileNames(application: try ConfigName("iam", field: "application"),
                                             profiles: try ConfigName.profiles("dev,eu"))
        #expect(names == ["application.properties", "application-dev.properties", "application-eu.properties",
                          "iam.properties", "iam-dev.properties", "iam-eu.properties"])
        // The application called "application" reads each shared file once.
        let shared = ConfigResolver.fileNames(application: try ConfigName("application", field: "application"),
                                              profiles: try ConfigName.profiles("dev"))
        #expect(shared == ["application.properties", "application-dev.properties"])
    }
}
