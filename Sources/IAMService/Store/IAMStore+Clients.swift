import Foundation
import GRDB

/// An OAuth2 client allowed the client_credentials grant (another service).
public struct OAuthClient: Sendable, Equatable {
    public var clientId: String
    public var name: String
    /// Scopes the client may request; a token gets all of them when none are requested.
    public var scopes: [String]
    /// Roles put in the client's tokens (normally `service`).
    public var roles: Set<Role>
    public var enabled: Bool
    var secretHash: String
}

extension IAMStore {
    func client(id: String) async throws -> OAuthClient? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM oauth_client WHERE client_id = ?", arguments: [id]).map { row in
                OAuthClient(
                    clientId: row["client_id"], name: row["name"], scopes: JSONColumn.decode(row["scopes"]),
                    roles: Set(JSONColumn.decode(row["roles"]).compactMap(Role.init(rawValue:))),
                    enabled: row["enabled"], secretHash: row["secret_hash"])
            }
        }
    }

    /// Creates the client, or replaces its secret, scopes, roles and enabled flag (config is the source).
    func upsertClient(_ client: OAuthClient, now: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO oauth_client (client_id, secret_hash, name, scopes, roles, enabled, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(client_id) DO UPDATE SET secret_hash = excluded.secret_hash, name = excluded.name,
                        scopes = excluded.scopes, roles = excluded.roles, enabled = excluded.enabled,
                        updated_at = excluded.updated_at
                    """,
                arguments: [client.clientId, client.secretHash, client.name, JSONColumn.encode(client.scopes),
                            JSONColumn.encode(Role.names(client.roles)), client.enabled, now, now])
        }
    }
}
