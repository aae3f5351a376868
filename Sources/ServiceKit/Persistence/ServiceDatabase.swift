import Foundation
import GRDB

/// A service's own SQLite database: one file in WAL mode, opened once per process, migrated before the
/// service serves. ServiceKit's tables (outbox, inbox, consumer offsets, dead letters) are migrated first,
/// then the service's own migrations in registration order.
///
/// All access is async (GRDB runs it on its own serial writer and reader queues), so handlers never block
/// the cooperative thread pool.
public final class ServiceDatabase: Sendable {
    public let pool: DatabasePool
    public let path: String

    /// Opens (creating the directory and file when needed) and migrates.
    /// - Parameter migrations: the service's own migrations; ids must never change once released.
    public init(path: String, migrations: [ServiceMigration] = []) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ServiceDatabaseError.open(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL is durable across process crashes; FULL adds an fsync per
            // commit and is needed only against power loss.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        configuration.busyMode = .timeout(5)
        configuration.maximumReaderCount = 4
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ServiceDatabaseError.open(path: path, reason: String(describing: error))
        }
        self.path = path
        var migrator = DatabaseMigrator()
        for migration in PlatformMigrations.all + migrations {
            migrator.registerMigration(migration.id, migrate: migration.body)
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw ServiceDatabaseError.migration(path: path, reason: String(describing: error))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// For `/health/ready`: the file answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

/// One versioned schema step. The id is recorded in `grdb_migrations` and must never change.
public struct ServiceMigration: Sendable {
    public let id: String
    public let body: @Sendable (Database) throws -> Void

    public init(_ id: String, body: @escaping @Sendable (Database) throws -> Void) {
        self.id = id
        self.body = body
    }
}

public enum ServiceDatabaseError: Error, CustomStringConvertible {
    case open(path: String, reason: String)
    case migration(path: String, reason: String)

    public var description: String {
        switch self {
        case .open(let path, let reason): "cannot open the database \(path): \(reason)"
        case .migration(let path, let reason): "migrating \(path) failed: \(reason)"
        }
    }
}
