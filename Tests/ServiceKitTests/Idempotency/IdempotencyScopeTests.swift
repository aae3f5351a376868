import Foundation
import GRDB
import HTTPTypes
import NIOCore
@testable import ServiceKit
import Testing

/// Keys are scoped per endpoint and per caller (`sub`): one user's key never answers another's request.
@Suite struct IdempotencyScopeTests {
    @Test func twoCallersAndAnonymousMayUseTheSameKey() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            var ids: [Int64] = []
            for subject in ["alice", "bob", "alice"] {
                let response = try await client.execute(uri: "/orders", method: .post, headers: try await fixture.headers(key: "same", subject: subject),
                                                        body: IdempotencyFixture.body())
                #expect(response.status == .created)
                ids.append(try #require(try EnvelopeBody(response).data?.id))
            }
            // alice's second request is her first one replayed; bob's ran on its own.
            #expect(ids[0] == ids[2] && ids[0] != ids[1])
            // bob may even reuse the key with another body: it is his key, not alice's.
            let bobOther = try await client.execute(uri: "/orders", method: .post, headers: try await fixture.headers(key: "other", subject: "bob"),
                                                    body: IdempotencyFixture.body("pen"))
            #expect(bobOther.status == .created)
            let aliceOther = try await client.execute(uri: "/orders", method: .post, headers: try await fixture.headers(key: "other", subject: "alice"),
                                                      body: IdempotencyFixture.body())
            #expect(aliceOther.status == .created)
            #expect(aliceOther.headers[.idempotentReplayed] == nil)
            // Anonymous callers share a scope of their own, apart from every user.
            let anonymous = try await client.execute(uri: "/public/orders", method: .post, headers: try await fixture.headers(key: "same"),
                                                     body: IdempotencyFixture.body())
            #expect(anonymous.status == .created && anonymous.headers[.idempotentReplayed] == nil)
        }
        #expect(try await fixture.effects() == 5)
        let principals = Set(try await fixture.keyRows().map { $0.principal })
        #expect(principals == ["sub:alice", "sub:bob", "anonymous"])
    }

    @Test func endpointsHaveSeparateScopes() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            for path in ["/public/orders", "/payments", "/refunds"] {
                let response = try await client.execute(uri: path, method: .post, headers: try await fixture.headers(key: "k"),
                                                        body: IdempotencyFixture.body())
                #expect(response.status == .created, "\(path)")
                #expect(response.headers[.idempotentReplayed] == nil, "\(path)")
            }
        }
        #expect(try await fixture.effects() == 3)
        let scopes = Set(try await fixture.keyRows().map { $0.scope })
        #expect(scopes == ["POST /public/orders", "POST /payments", "POST /refunds"])
    }
}
