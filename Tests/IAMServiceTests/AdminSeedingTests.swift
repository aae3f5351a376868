import Contracts
import Foundation
import Testing

@testable import IAMService

@Suite struct AdminSeedingTests {
    @Test func developmentWithoutPasswordUsesTheDocumentedDefault() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let outcome = try await fixture.accounts.seedAdmin(AdminSeedConfiguration(production: false))
        guard case .created(let admin, let usedDefault) = outcome else {
            Issue.record("expected created, got \(outcome)")
            return
        }
        #expect(usedDefault)
        #expect(admin.email == "admin@shop.local" && admin.roles == [.admin])
        _ = try await fixture.accounts.login(email: "admin@shop.local", password: "change-me-admin-password")
        let row = try #require(try await fixture.outbox().first)
        #expect(row.eventType == "UserRegistered")
        #expect(try row.decode(UserRegistered.self).roles == ["admin"])
    }

    @Test func seedingIsIdempotent() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        let seed = AdminSeedConfiguration(environment: ["IAM_ADMIN_EMAIL": "Root@Shop.test", "IAM_ADMIN_PASSWORD": "a long admin password"],
                                          production: true)
        guard case .created(let admin, false) = try await fixture.accounts.seedAdmin(seed) else {
            Issue.record("expected created with the configured password")
            return
        }
        #expect(admin.email == "root@shop.test")
        #expect(try await fixture.accounts.seedAdmin(seed) == .adminAlreadyPresent)
        #expect(try await fixture.accounts.listUsers().totalCount == 1)
        _ = try await fixture.accounts.login(email: "root@shop.test", password: "a long admin password")
    }

    @Test func productionWithoutPasswordFails() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        for seed in [AdminSeedConfiguration(adminEmail: "root@shop.test", production: true),
                     AdminSeedConfiguration(environment: ["IAM_ADMIN_PASSWORD": ""], production: true)] {
            let error = await iamError { try await fixture.accounts.seedAdmin(seed) }
            guard case .configuration(let message) = error else {
                Issue.record("expected a configuration error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("IAM_ADMIN_PASSWORD"))
        }
        #expect(try await fixture.accounts.listUsers().totalCount == 0)
    }

    @Test func aWeakConfiguredPasswordIsAValidationError() async throws {
        let fixture = try await IAMFixture.make()
        defer { fixture.removeFiles() }
        guard case .validation = await iamError({
            try await fixture.accounts.seedAdmin(.init(adminPassword: "short", production: true))
        }) else {
            Issue.record("expected validation")
            return
        }
    }
}
