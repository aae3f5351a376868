import Contracts
import Foundation
import GRDB
import ServiceKit

/// IAM's account flags as this service knows them from `UserAccountStatusChanged`. Only `enabled` has an
/// effect here: a disabled account's profile and address book are frozen. A lock (failed logins, an
/// admin's) is IAM's business: it stops new logins, not the holder of a still-valid token editing an address.
extension CustomerStore {
    public func isEnabled(userId: String) async throws -> Bool {
        try await database.read { db in try Self.isEnabled(db, userId: userId) }
    }

    static func isEnabled(_ db: Database, userId: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT enabled FROM account_status WHERE user_id = ?", arguments: [userId]) ?? true
    }

    /// Throws `accountDisabled` when IAM disabled the account; the first step of every write of a user.
    static func requireEnabled(_ db: Database, userId: String) throws {
        guard try isEnabled(db, userId: userId) else { throw CustomerError.accountDisabled(userId: userId) }
    }

    /// Records the flags of the latest status event (one user's events arrive in order: one partition).
    static func applyAccountStatus(_ db: Database, _ event: UserAccountStatusChanged, at: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO account_status (user_id, enabled, locked, reason, changed_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, locked = excluded.locked,
                    reason = excluded.reason, changed_at = excluded.changed_at
                """,
            arguments: [event.userId, event.enabled, event.locked, event.reason, at])
    }
}
