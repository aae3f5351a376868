import Contracts
import Foundation
import GRDB
import ServiceKit

/// What an administrator may change on an account in one request (all optional; nil leaves it as is).
public struct UserAccountChange: Sendable, Equatable {
    public var roles: Set<Role>?
    public var enabled: Bool?
    /// true: admin lock (indefinite). false: unlock, which also ends an automatic lockout and resets the
    /// failed-login counter.
    public var locked: Bool?

    public init(roles: Set<Role>? = nil, enabled: Bool? = nil, locked: Bool? = nil) {
        self.roles = roles
        self.enabled = enabled
        self.locked = locked
    }
}

/// One page of users, newest last (ordered by creation).
public struct UserPage: Sendable, Equatable {
    public var users: [UserAccount]
    /// Zero-based page number.
    public var page: Int
    public var size: Int
    public var totalCount: Int
    public var totalPages: Int { size > 0 ? (totalCount + size - 1) / size : 0 }
}

extension IAMStore {
    // MARK: Reads

    func user(id: String) async throws -> UserAccount? {
        try await database.read { db in try Self.fetchUser(db, id: id) }
    }

    func user(email normalizedEmail: String) async throws -> UserAccount? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM app_user WHERE email = ?", arguments: [normalizedEmail])
                .map(Self.decodeUser)
        }
    }

    func hasAdmin() async throws -> Bool {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT roles FROM app_user").contains { row in
                JSONColumn.decode(row["roles"]).contains(Role.admin.rawValue)
            }
        }
    }

    func listUsers(page: Int, size: Int) async throws -> UserPage {
        // Both come from a query string: an offset past Int.max is a page past any data, never a trap.
        let (offset, overflow) = page.multipliedReportingOverflow(by: size)
        return try await database.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app_user") ?? 0
            guard !overflow else { return UserPage(users: [], page: page, size: size, totalCount: total) }
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM app_user ORDER BY created_at, id LIMIT ? OFFSET ?",
                arguments: [size, offset])
            return UserPage(users: try rows.map(Self.decodeUser), page: page, size: size, totalCount: total)
        }
    }

    // MARK: Writes

    /// Inserts a new account and its `UserRegistered` event; `emailTaken` when the email exists.
    func insertUser(_ user: UserAccount, metadata: EventMetadata) async throws {
        try await database.write { db in
            let exists = try Bool.fetchOne(
                db, sql: "SELECT EXISTS(SELECT 1 FROM app_user WHERE email = ?)", arguments: [user.email]) ?? false
            if exists { throw IAMError.emailTaken }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO app_user (id, email, password_hash, first_name, last_name, phone_number, roles,
                            enabled, account_non_locked, account_non_expired, credentials_non_expired,
                            failed_login_count, locked_until, last_login_at, password_changed_at, created_at,
                            updated_at, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.id, user.email, user.passwordHash, user.firstName, user.lastName, user.phoneNumber,
                        JSONColumn.encode(Role.names(user.roles)), user.enabled, user.accountNonLocked,
                        user.accountNonExpired, user.credentialsNonExpired, user.failedLoginCount, user.lockedUntil,
                        user.lastLoginAt, user.passwordChangedAt, user.createdAt, user.updatedAt, user.version,
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw IAMError.emailTaken  // NOCASE caught a variant the Swift check did not
            }
            try Outbox.enqueue(
                UserRegistered(userId: user.id, email: user.email, roles: Role.names(user.roles),
                               registeredAt: user.createdAt, firstName: user.firstName, lastName: user.lastName,
                               phoneNumber: user.phoneNumber),
                metadata: metadata, occurredAt: user.createdAt, in: db)
        }
    }

    /// Counts a failed login. Reaching `threshold` starts a lockout of `duration` (the counter restarts,
    /// so the next lockout again takes `threshold` failures) and writes `UserAccountStatusChanged`.
    /// Failures during a running lockout are not counted and do not extend it.
    @discardableResult
    func recordFailedLogin(
        userId: String, now: Date, threshold: Int, duration: TimeInterval, metadata: EventMetadata
    ) async throws -> UserAccount? {
        try await database.write { db in
            guard var user = try Self.fetchUser(db, id: userId) else { return nil }
            if let until = user.lockedUntil, until > now { return user }
            var lockedNow = false
            user.failedLoginCount += 1
            if user.failedLoginCount >= max(1, threshold) {
                user.lockedUntil = now.addingTimeInterval(duration)
                user.failedLoginCount = 0
                user.version += 1
                user.updatedAt = now
                lockedNow = true
            }
            try db.execute(
                sql: "UPDATE app_user SET failed_login_count = ?, locked_until = ?, version = ?, updated_at = ? WHERE id = ?",
                arguments: [user.failedLoginCount, user.lockedUntil, user.version, user.updatedAt, user.id])
            if lockedNow {
                try Outbox.enqueue(user.statusChanged(at: now, reason: "too-many-failed-logins"),
                                   metadata: metadata, occurredAt: now, in: db)
            }
            return user
        }
    }

    /// Records a successful login: resets the counter, clears an expired lockout (publishing the unlock),
    /// and stores a rehashed password when the KDF parameters changed.
    func recordSuccessfulLogin(
        userId: String, now: Date, rehashedPassword: String?, metadata: EventMetadata
    ) async throws {
        try await database.write { db in
            guard var user = try Self.fetchUser(db, id: userId) else { return }
            let lockoutExpired = user.lockedUntil.map { $0 <= now } ?? false
            user.failedLoginCount = 0
            user.lastLoginAt = now
            if lockoutExpired {
                user.lockedUntil = nil
                user.version += 1
                user.updatedAt = now
            }
            if let rehashedPassword { user.passwordHash = rehashedPassword }
            try db.execute(
                sql: """
                    UPDATE app_user SET failed_login_count = 0, last_login_at = ?, locked_until = ?, password_hash = ?,
                        version = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [now, user.lockedUntil, user.passwordHash, user.version, user.updatedAt, user.id])
            if lockoutExpired {
                try Outbox.enqueue(user.statusChanged(at: now, reason: "lockout-expired"),
                                   metadata: metadata, occurredAt: now, in: db)
            }
        }
    }

    /// Applies an admin's change in one transaction: `UserRoleChanged` when the roles differ,
    /// `UserAccountStatusChanged` when enabled/locked differ, and revocation of every refresh-token family
    /// when the account becomes disabled or locked. Refuses to leave no active administrator.
    func updateUser(
        id: String, change: UserAccountChange, expectedVersion: Int?, actorId: String?, now: Date,
        metadata: EventMetadata
    ) async throws -> UserAccount {
        try await database.write { db in
            guard let before = try Self.fetchUser(db, id: id) else { throw IAMError.notFound("user") }
            if let expectedVersion, expectedVersion != before.version {
                throw IAMError.versionConflict(current: before.version)
            }
            var after = before
            if let roles = change.roles { after.roles = roles }
            if let enabled = change.enabled { after.enabled = enabled }
            if let locked = change.locked {
                after.accountNonLocked = !locked
                if !locked {
                    after.lockedUntil = nil
                    after.failedLoginCount = 0
                }
            }
            let rolesChanged = after.roles != before.roles
            let statusChanged = after.enabled != before.enabled
                || after.isLocked(at: now) != before.isLocked(at: now)
                || after.accountNonLocked != before.accountNonLocked
            guard rolesChanged || statusChanged || after != before else { return before }

            if before.isActiveAdmin(at: now) && !after.isActiveAdmin(at: now) {
                let others = try Row.fetchAll(db, sql: "SELECT * FROM app_user WHERE id != ?", arguments: [id])
                    .map(Self.decodeUser)
                if !others.contains(where: { $0.isActiveAdmin(at: now) }) { throw IAMError.lastAdmin }
            }

            after.version += 1
            after.updatedAt = now
            try db.execute(
                sql: """
                    UPDATE app_user SET roles = ?, enabled = ?, account_non_locked = ?, locked_until = ?,
                        failed_login_count = ?, version = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [JSONColumn.encode(Role.names(after.roles)), after.enabled, after.accountNonLocked,
                            after.lockedUntil, after.failedLoginCount, after.version, after.updatedAt, id])
            if rolesChanged {
                try Outbox.enqueue(
                    UserRoleChanged(userId: id, oldRoles: Role.names(before.roles), newRoles: Role.names(after.roles),
                                    changedBy: actorId),
                    metadata: metadata, occurredAt: now, in: db)
            }
            if statusChanged {
                let reason: String
                if after.enabled != before.enabled {
                    reason = after.enabled ? "enabled-by-admin" : "disabled-by-admin"
                } else {
                    reason = after.isLocked(at: now) ? "locked-by-admin" : "unlocked-by-admin"
                }
                try Outbox.enqueue(after.statusChanged(at: now, reason: reason), metadata: metadata, occurredAt: now, in: db)
            }
            if !after.enabled || !after.accountNonLocked {
                try Self.revokeFamilies(db, userId: id, now: now, reason: "account-deactivated")
            }
            return after
        }
    }

    // MARK: Row mapping

    static func fetchUser(_ db: Database, id: String) throws -> UserAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM app_user WHERE id = ?", arguments: [id]).map(decodeUser)
    }

    static func decodeUser(_ row: Row) throws -> UserAccount {
        UserAccount(
            id: row["id"], email: row["email"], firstName: row["first_name"], lastName: row["last_name"],
            phoneNumber: row["phone_number"],
            roles: Set(JSONColumn.decode(row["roles"]).compactMap(Role.init(rawValue:))),
            enabled: row["enabled"], accountNonLocked: row["account_non_locked"],
            accountNonExpired: row["account_non_expired"], credentialsNonExpired: row["credentials_non_expired"],
            failedLoginCount: row["failed_login_count"], lockedUntil: row["locked_until"],
            lastLoginAt: row["last_login_at"], passwordChangedAt: row["password_changed_at"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], version: row["version"],
            passwordHash: row["password_hash"])
    }
}
