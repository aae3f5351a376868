import Foundation
import GRDB

/// What exchanging a refresh token came to. Reuse is an outcome, not a thrown error, because its
/// revocation of the family must commit.
enum RefreshExchange: Sendable {
    case rotated(user: UserAccount, scope: String?)
    case unknown
    case expired
    case revoked
    case reused
    case accountInactive(IAMError)
}

extension IAMStore {
    /// Starts a session: a new family holding its first token.
    func insertRefreshFamily(
        userId: String, tokenHash: String, scope: String?, now: Date, expiresAt: Date
    ) async throws {
        try await database.write { db in
            let familyId = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO refresh_token_family (id, user_id, created_at) VALUES (?, ?, ?)",
                           arguments: [familyId, userId, now])
            try Self.insertRefreshToken(db, familyId: familyId, tokenHash: tokenHash, scope: scope, now: now,
                                        expiresAt: expiresAt)
        }
    }

    /// Exchanges the token with hash `presentedHash` for a new one (`newHash`) in the same family, in one
    /// transaction. A token that was already exchanged revokes its whole family (someone holds a copy).
    func exchangeRefreshToken(
        presentedHash: String, newHash: String, now: Date, expiresAt: Date
    ) async throws -> RefreshExchange {
        try await database.write { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT t.id, t.family_id, t.scope, t.expires_at, t.used_at, f.user_id, f.revoked_at
                    FROM refresh_token t JOIN refresh_token_family f ON f.id = t.family_id
                    WHERE t.token_hash = ?
                    """,
                arguments: [presentedHash])
            else { return .unknown }
            let tokenId: String = row["id"]
            let familyId: String = row["family_id"]
            let revokedAt: Date? = row["revoked_at"]
            let usedAt: Date? = row["used_at"]
            let expiresAtOld: Date = row["expires_at"]
            if revokedAt != nil { return .revoked }
            if usedAt != nil {
                try Self.revokeFamily(db, familyId: familyId, now: now, reason: "reuse-detected")
                return .reused
            }
            if expiresAtOld <= now { return .expired }
            guard let user = try Self.fetchUser(db, id: row["user_id"]) else { return .unknown }
            if let problem = AccountGate.problem(for: user, at: now) { return .accountInactive(problem) }
            let scope: String? = row["scope"]
            let newId = try Self.insertRefreshToken(db, familyId: familyId, tokenHash: newHash, scope: scope,
                                                    now: now, expiresAt: expiresAt)
            try db.execute(sql: "UPDATE refresh_token SET used_at = ?, replaced_by = ? WHERE id = ?",
                           arguments: [now, newId, tokenId])
            return .rotated(user: user, scope: scope)
        }
    }

    /// Revokes the family of the token with this hash (logout). False when no such token is known.
    func revokeRefreshFamily(tokenHash: String, now: Date, reason: String) async throws -> Bool {
        try await database.write { db in
            guard let familyId = try String.fetchOne(
                db, sql: "SELECT family_id FROM refresh_token WHERE token_hash = ?", arguments: [tokenHash])
            else { return false }
            try Self.revokeFamily(db, familyId: familyId, now: now, reason: reason)
            return true
        }
    }

    /// Whether the family holding the token with this hash is revoked (for tests and diagnostics).
    func isRefreshFamilyRevoked(tokenHash: String) async throws -> Bool? {
        try await database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT f.revoked_at FROM refresh_token t JOIN refresh_token_family f ON f.id = t.family_id
                    WHERE t.token_hash = ?
                    """,
                arguments: [tokenHash]
            ).map { row in (row["revoked_at"] as Date?) != nil }
        }
    }

    /// Deletes families whose every token expired before `cutoff` (housekeeping; run now and then).
    @discardableResult
    func pruneRefreshTokens(expiredBefore cutoff: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(
                sql: """
                    DELETE FROM refresh_token_family WHERE id IN (
                        SELECT family_id FROM refresh_token GROUP BY family_id HAVING MAX(expires_at) < ?)
                    """,
                arguments: [cutoff])
            return db.changesCount
        }
    }

    @discardableResult
    static func insertRefreshToken(
        _ db: Database, familyId: String, tokenHash: String, scope: String?, now: Date, expiresAt: Date
    ) throws -> String {
        let id = UUID().uuidString.lowercased()
        try db.execute(
            sql: """
                INSERT INTO refresh_token (id, token_hash, family_id, scope, issued_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, tokenHash, familyId, scope, now, expiresAt])
        return id
    }

    static func revokeFamily(_ db: Database, familyId: String, now: Date, reason: String) throws {
        try db.execute(
            sql: "UPDATE refresh_token_family SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL",
            arguments: [now, reason, familyId])
    }

    static func revokeFamilies(_ db: Database, userId: String, now: Date, reason: String) throws {
        try db.execute(
            sql: "UPDATE refresh_token_family SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [now, reason, userId])
    }
}
