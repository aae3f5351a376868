import Foundation
import GRDB
import HTTPTypes
import Logging
import NIOCore
@testable import ServiceKit
import ServiceLifecycle
import ShopTestSupport
import Testing

/// Keys are remembered for the retention (24 h by default), then forgotten and deleted.
@Suite struct IdempotencyPruningTests {
    @Test func keysAreKeptForTheRetentionThenPruned() async throws {
        let fixture = try await IdempotencyFixture(settings: IdempotencySettings(retention: .seconds(24 * 3600)))
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            let headers = try await fixture.headers(key: "day-old")
            _ = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            fixture.clock.advance(by: 3600)
            _ = try await client.execute(uri: "/public/orders", method: .post, headers: try await fixture.headers(key: "younger"),
                                         body: IdempotencyFixture.body())
            fixture.clock.advance(by: 23 * 3600 - 1)
            #expect(try await fixture.idempotency.prune() == 0)
            let replay = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            #expect(replay.headers[.idempotentReplayed] == "true")
            fixture.clock.advance(by: 1)
            // 24 h after its first use, the first key is gone; the younger one stays.
            #expect(try await fixture.idempotency.prune() == 1)
            #expect(try await fixture.keyRows().map { $0.key } == ["younger"])
            let again = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body("lamp"))
            #expect(again.status == .created && again.headers[.idempotentReplayed] == nil)
        }
        #expect(try await fixture.effects() == 3)
    }

    @Test func anExpiredKeyIsForgottenEvenBeforeThePrunerRuns() async throws {
        let fixture = try await IdempotencyFixture(settings: IdempotencySettings(retention: .seconds(3600)))
        defer { fixture.remove() }
        try await fixture.withRouter { client in
            let headers = try await fixture.headers(key: "k")
            _ = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body())
            fixture.clock.advance(by: 3600)
            let fresh = try await client.execute(uri: "/public/orders", method: .post, headers: headers, body: IdempotencyFixture.body("other"))
            #expect(fresh.status == .created && fresh.headers[.idempotentReplayed] == nil)
        }
        #expect(try await fixture.effects() == 2)
    }

    /// The background job prunes at start, then sleeps a whole interval (here an hour) without
    /// waking, and stops at once on graceful shutdown.
    @Test func prunerServicePrunesAtStartAndStopsOnShutdown() async throws {
        let fixture = try await IdempotencyFixture(settings: IdempotencySettings(retention: .seconds(3600), pruneInterval: .seconds(3600)))
        defer { fixture.remove() }
        _ = try await fixture.idempotency.claim(scope: "POST /x", principal: "anonymous", key: "old", body: IdempotencyFixture.body())
        fixture.clock.advance(by: 7200)
        let pruner = fixture.idempotency.pruningJob(logger: Logger(label: "pruner-test"))
        let group = ServiceGroup(configuration: .init(services: [pruner], logger: Logger(label: "pruner-test")))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("the expired key is pruned") { try await fixture.keyRows().isEmpty }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // Far less than the hour it would otherwise sleep: shutdown ended the sleep.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func enableIdempotencyRegistersThePruner() async throws {
        let fixture = try await IdempotencyFixture()
        defer { fixture.remove() }
        let before = fixture.app.backgroundServices.count
        let idempotency = fixture.app.enableIdempotency(database: fixture.database, settings: IdempotencySettings())
        #expect(fixture.app.backgroundServices.count == before + 1)
        #expect(fixture.app.backgroundServices.last is PeriodicJob)
        #expect(idempotency.settings.lease == .seconds(30))
    }
}
