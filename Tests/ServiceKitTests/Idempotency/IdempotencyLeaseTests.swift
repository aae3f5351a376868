import Foundation
import GRDB
import HTTPTypes
import NIOCore
@testable import ServiceKit
import Testing

/// A crashed request leaves its key `IN_PROGRESS`; after the lease a retry takes it over, and the
/// crashed holder (had it only been slow) can no longer complete. Time moves by an injected clock.
@Suite struct IdempotencyLeaseTests {
    @Test func aRetryTakesOverAnAbandonedKeyAfterTheLease() async throws {
        let fixture = try await IdempotencyFixture(settings: IdempotencySettings(lease: .seconds(30)))
        defer { fixture.remove() }
        // The first attempt claimed the key, then its process died: nothing but the claim exists.
        let crashed = try await fixture.idempotency.claim(scope: "POST /public/orders", principal: "anonymous", key: "k",
                                                          body: IdempotencyFixture.body())
        guard case .proceed(let abandoned) = crashed else { Issue.record("expected a claim"); return }
        try await fixture.withRouter { client in
            let headers = try await fixture.headers(key: "k")
            fixture.clock.advance(by: 29)
            let early = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            #expect(early.status == .conflict)
            fixture.clock.advance(by: 1)
            let retry = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            #expect(retry.status == .created)
            #expect(retry.headers[.idempotentReplayed] == nil)
            let replay = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            #expect(replay.headers[.idempotentReplayed] == "true")
        }
        #expect(try await fixture.effects() == 1)
        // The first holder wakes up and tries to finish: its completion is fenced off and its write rolls back.
        await #expect(throws: APIError.self) {
            _ = try await fixture.database.write { db in
                try db.execute(sql: "INSERT INTO effect (route, item, quantity) VALUES ('late', 'book', 1)")
                return try fixture.idempotency.complete(abandoned, with: EnvelopeResponse(PlacedOrder(id: 0, item: "book", quantity: 1), status: .created), in: db)
            }
        }
        #expect(try await fixture.effects() == 1)
        // And its release does not free the key the retry completed.
        await fixture.idempotency.release(abandoned)
        #expect(try await fixture.keyRows().first?.state == "COMPLETED")
    }

    @Test func aSlowHolderThatLostItsLeaseCommitsNothing() async throws {
        let fixture = try await IdempotencyFixture(settings: IdempotencySettings(lease: .seconds(30)))
        defer { fixture.remove() }
        let scope = "POST /payments"
        guard case .proceed(let slow) = try await fixture.idempotency.claim(scope: scope, principal: "anonymous", key: "k", body: IdempotencyFixture.body())
        else { Issue.record("expected a claim"); return }
        fixture.clock.advance(by: 31)
        guard case .proceed(let retry) = try await fixture.idempotency.claim(scope: scope, principal: "anonymous", key: "k", body: IdempotencyFixture.body())
        else { Issue.record("expected a takeover"); return }
        #expect(retry.leaseToken != slow.leaseToken)
        let answer = EnvelopeResponse(PlacedOrder(id: 1, item: "book", quantity: 1), status: .created)
        await #expect(throws: APIError.self) {
            _ = try await fixture.database.write { db in
                try db.execute(sql: "INSERT INTO effect (route, item, quantity) VALUES ('slow', 'book', 1)")
                return try fixture.idempotency.complete(slow, with: answer, in: db)
            }
        }
        let completed = try await fixture.database.write { db in
            try db.execute(sql: "INSERT INTO effect (route, item, quantity) VALUES ('retry', 'book', 1)")
            return try fixture.idempotency.complete(retry, with: answer, in: db)
        }
        #expect(completed.status == .created && !completed.replayed)
        #expect(try await fixture.effects("slow") == 0)
        #expect(try await fixture.effects("retry") == 1)
    }

    @Test func settingsComeFromTheEnvironment() throws {
        let defaults = try IdempotencySettings(environment: [:])
        #expect(defaults.lease == .seconds(30))
        #expect(defaults.retention == .seconds(24 * 3600))
        #expect(defaults.pruneInterval == .seconds(3600))
        let custom = try IdempotencySettings(environment: ["IDEMPOTENCY_LEASE_SECONDS": "5", "IDEMPOTENCY_RETENTION_HOURS": "48"])
        #expect(custom.lease == .seconds(5) && custom.retention == .seconds(48 * 3600))
        #expect(throws: ConfigError.self) { try IdempotencySettings(environment: ["IDEMPOTENCY_RETENTION_HOURS": "0"]) }
        #expect(throws: ConfigError.self) { try IdempotencySettings(environment: ["IDEMPOTENCY_LEASE_SECONDS": "soon"]) }
    }
}
