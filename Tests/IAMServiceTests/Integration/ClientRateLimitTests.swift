import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// Rate limits key on the real client, also behind the gateway: every shopper's socket peer is the
/// gateway there, so IAM reads the client from `X-Forwarded-For`, but only when a trusted proxy sent it.
@Suite(.serialized) struct ClientRateLimitTests {
    static let password = "correct horse battery"

    static func loginBody(_ email: String, _ password: String = password) -> String {
        #"{"email":"\#(email)","password":"\#(password)"}"#
    }

    @Test func clientsBehindTheGatewayEachHaveTheirOwnLimit() async throws {
        // Buckets refill once a minute, so that a slow, busy machine cannot refill them during the test.
        let fixture = try await IAMProcessFixture(extraEnvironment: ["IAM_LOGIN_RATE_PER_MINUTE": "1"])
        defer { fixture.stop() }
        #expect(try await fixture.register("many@example.com").status == 201)
        let gateway = try await ServiceProcess(service: "gateway", environment: [
            "DATA_DIR": fixture.dataDirectory, "LOG_LEVEL": "warning", "UPSTREAM_IAM_URL": fixture.iam.baseURL,
            "JWKS_URL": fixture.iam.baseURL + "/.well-known/jwks.json", "GATEWAY_AUTH_RATE_PER_MINUTE": "1",
        ], logFile: fixture.dataDirectory + "/gateway.log")
        defer { gateway.cleanUp() }

        // 100 clients (127.0.0.2 … 127.0.0.101), ten at a time: IAM allows 10 logins at once per client, so
        // one shared bucket (the gateway's address) would refuse all but the first ten.
        var statuses: [Int] = []
        for wave in 0..<10 {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<10 {
                    let source = "127.0.0.\(2 + wave * 10 + client)"
                    group.addTask {
                        try await SourceBoundHTTP.send("POST", port: gateway.port, path: "/auth/login", from: source,
                                                       json: Self.loginBody("many@example.com")).status
                    }
                }
                for try await status in group { statuses.append(status) }
            }
        }
        #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 }, "statuses: \(statuses.filter { $0 != 200 })")

        // One client logging in 30 times in a row through the gateway is still limited.
        var refused = 0
        for _ in 0..<30 {
            let answer = try await SourceBoundHTTP.send("POST", port: gateway.port, path: "/auth/login", from: "127.0.0.200",
                                                        json: Self.loginBody("many@example.com"))
            if answer.status == 429 { refused += 1 } else { #expect(answer.status == 200) }
        }
        #expect(refused >= 10, "30 rapid logins from one client: only \(refused) refused")
    }

    @Test func aForgedForwardedForFromAnUntrustedPeerChangesNothing() async throws {
        // Only 127.0.0.1 is a trusted proxy here; the client connects from 127.0.0.9 and names a new
        // address in every request.
        let fixture = try await IAMProcessFixture(extraEnvironment: ["TRUSTED_PROXIES": "127.0.0.1/32", "IAM_LOGIN_RATE_PER_MINUTE": "1"])
        defer { fixture.stop() }
        #expect(try await fixture.register("forger@example.com").status == 201)
        var statuses: [Int] = []
        for index in 0..<15 {
            let answer = try await SourceBoundHTTP.send("POST", port: fixture.iam.port, path: "/auth/login", from: "127.0.0.9",
                                                        json: Self.loginBody("forger@example.com"),
                                                        headers: [("X-Forwarded-For", "203.0.113.\(index)")])
            statuses.append(answer.status)
        }
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(statuses.suffix(5).allSatisfy { $0 == 429 }, "\(statuses)")

        // The trusted proxy's forwarded address is believed: a fresh client is admitted.
        let forwarded = try await SourceBoundHTTP.send("POST", port: fixture.iam.port, path: "/auth/login", from: "127.0.0.1",
                                                       json: Self.loginBody("forger@example.com"),
                                                       headers: [("X-Forwarded-For", "203.0.113.77")])
        #expect(forwarded.status == 200)
    }

    @Test func failedLoginsPerAccountAreLimitedWhateverTheAddress() async throws {
        // The lockout is raised out of the way so that the per-account limit is what answers.
        let fixture = try await IAMProcessFixture(extraEnvironment: [
            "IAM_LOCKOUT_THRESHOLD": "100", "IAM_ACCOUNT_FAILED_LOGIN_BURST": "6", "IAM_ACCOUNT_FAILED_LOGIN_PER_MINUTE": "1",
        ])
        defer { fixture.stop() }
        #expect(try await fixture.register("target@example.com").status == 201)
        var statuses: [Int] = []
        for index in 0..<8 {
            // A guesser rotating addresses: each request from another client.
            let answer = try await SourceBoundHTTP.send("POST", port: fixture.iam.port, path: "/auth/login", from: "127.0.0.\(20 + index)",
                                                        json: Self.loginBody("target@example.com", "wrong password \(index)"))
            statuses.append(answer.status)
        }
        #expect(statuses == [401, 401, 401, 401, 401, 401, 429, 429])
        // The owner's right password waits too, until the bucket refills (one a minute here).
        let owner = try await SourceBoundHTTP.send("POST", port: fixture.iam.port, path: "/auth/login", from: "127.0.0.50",
                                                   json: Self.loginBody("TARGET@example.com"))
        #expect(owner.status == 429 && owner.head.lowercased().contains("retry-after"))
        // Other accounts are not affected.
        #expect(try await fixture.register("bystander@example.com").status == 201)
        #expect(try await fixture.login("bystander@example.com").status == 200)
    }
}
