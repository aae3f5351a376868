import Foundation
import GRDB

/// A signing key as stored: the private key PEM and its lifecycle dates.
struct StoredSigningKey: Sendable, Equatable {
    var kid: String
    var algorithm: String
    var privateKeyPEM: String
    var createdAt: Date
    var retiredAt: Date?
}

extension IAMStore {
    func signingKeys() async throws -> [StoredSigningKey] {
        try await database.read { db in try Self.fetchSigningKeys(db) }
    }

    /// In one transaction: when there is no current key, or the current one is at least `rotationAge` old,
    /// retire it and make `candidate` the current key; then delete retired keys whose `retiredAt +
    /// retention` has passed. Returns the keys left, newest first (the first one signs).
    func rotateSigningKeys(
        now: Date, rotationAge: TimeInterval, retention: TimeInterval, candidate: StoredSigningKey, force: Bool
    ) async throws -> [StoredSigningKey] {
        try await database.write { db in
            let keys = try Self.fetchSigningKeys(db)
            let current = keys.first { $0.retiredAt == nil }
            let due = force || current.map { $0.createdAt.addingTimeInterval(rotationAge) <= now } ?? true
            if due {
                try db.execute(sql: "UPDATE signing_key SET retired_at = ? WHERE retired_at IS NULL", arguments: [now])
                try db.execute(
                    sql: "INSERT INTO signing_key (kid, algorithm, private_key_pem, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [candidate.kid, candidate.algorithm, candidate.privateKeyPEM, now])
            }
            try db.execute(sql: "DELETE FROM signing_key WHERE retired_at IS NOT NULL AND retired_at <= ?",
                           arguments: [now.addingTimeInterval(-retention)])
            return try Self.fetchSigningKeys(db)
        }
    }

    /// Current key first, then retired keys from the most recently retired.
    static func fetchSigningKeys(_ db: Database) throws -> [StoredSigningKey] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM signing_key ORDER BY retired_at IS NOT NULL, retired_at DESC, created_at DESC, kid"
        ).map { row in
            StoredSigningKey(kid: row["kid"], algorithm: row["algorithm"], privateKeyPEM: row["private_key_pem"],
                             createdAt: row["created_at"], retiredAt: row["retired_at"])
        }
    }
}
