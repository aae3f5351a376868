import Foundation
@testable import IAMService
import ServiceKit
import Testing

/// The store's paging survives any page and size: an offset past `Int.max` is a page past the data.
@Suite struct ListUsersTests {
    @Test func anOverflowingOffsetIsAnEmptyPageNotATrap() async throws {
        let path = NSTemporaryDirectory() + "iam-list-" + UUID().uuidString + ".sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = IAMStore(database: try ServiceDatabase(path: path, migrations: IAMStore.migrations))
        let page = try await store.listUsers(page: Int.max, size: 2)
        #expect(page.users.isEmpty && page.page == Int.max)
    }
}

/// What a new password must satisfy.
@Suite struct PasswordPolicyTests {
    @Test func controlCharactersAreRefusedSpacesAndUnicodeAreNot() {
        let policy = PasswordPolicy()
        #expect(policy.problems(with: String(repeating: "\0", count: 20)).map(\.message) == ["must not contain control characters"])
        #expect(!policy.problems(with: "correct horse\u{7}battery").isEmpty)
        #expect(policy.problems(with: "correct horse battery").isEmpty)
        #expect(policy.problems(with: "Kennwort mit Umlauten äöü").isEmpty)
        #expect(policy.problems(with: "short").map(\.field) == ["password"])
    }
}
