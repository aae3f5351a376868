import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import NIOCore

/// `Idempotency-Key` for any route (draft-ietf-httpapi-idempotency-key-header; API.md §1.7; DOMAIN.md
/// §4.6), over the `idempotency_request` table of the service's own database.
///
/// One line in a route runs the business write and finishes the key in one SQLite transaction:
///
///     app.route(.post, "/orders", doc: …) { request, context in
///         try await idempotency.perform(request: request, context: context, required: true) { db, claim in
///             let input = try claim.decode(PlaceOrder.self)
///             …  // the business write (and Outbox.enqueue) on `db`
///             return EnvelopeResponse(order, status: .created, headers: [.location: …])
///         }
///     }
///
/// For a business write elsewhere, the two steps: `begin` (a replay to send, or a claim), then
/// `complete(claim, with:in:)` inside the business transaction, or `release(claim)` when the request fails.
///
/// How the rules are kept:
/// * The key row is **inserted first** (`INSERT … ON CONFLICT DO NOTHING`): of concurrent requests with one
///   key, the primary key lets exactly one insert; the others read the winner's row. Claiming is one
///   write transaction, so it never sees a half-written row.
/// * Same fingerprint: a `COMPLETED` row is replayed byte for byte with `Idempotent-Replayed: true`; an
///   `IN_PROGRESS` row under a live lease is 409 with `Retry-After: 1`. Another fingerprint: 422.
/// * An `IN_PROGRESS` row whose lease (`locked_until`) passed was abandoned: its transaction never committed
///   (the business write and the completion commit together), so the next request with the key takes it
///   over, with a new lease token, whatever its body.
/// * Completion is fenced by the lease token: a holder that lost its lease completes nothing, and its
///   business write rolls back with it (409).
/// * Only 2xx answers are stored. A request that throws or answers otherwise deletes its row: the key is
///   free again for a corrected retry.
/// * A row older than the retention counts as absent; `pruningJob` deletes such rows.
public final class Idempotency: Sendable {
    public let database: ServiceDatabase
    public let settings: IdempotencySettings
    public let clock: ServiceClock

    public init(database: ServiceDatabase, settings: IdempotencySettings = IdempotencySettings(), clock: ServiceClock = .system) {
        self.database = database
        self.settings = settings
        self.clock = clock
    }

    // MARK: One step

    /// Runs `body` (the business write) in the write transaction that also completes the key, unless the
    /// key already settles the request (replay, 409, 422, or 400 for a missing or malformed key).
    /// - Parameters:
    ///   - scope: the endpoint; by default the method and the concrete path.
    ///   - required: a missing key is 400 when true; when false a request without a key simply runs.
    public func perform<Payload: Encodable & Sendable>(
        request: Request, context: ServiceRequestContext, scope: String? = nil, required: Bool,
        _ body: @escaping @Sendable (Database, IdempotencyClaim) throws -> EnvelopeResponse<Payload>
    ) async throws -> Response {
        let claim: IdempotencyClaim
        switch try await begin(request: request, context: context, scope: scope, required: required) {
        case .replay(let answer): return answer.response
        case .proceed(let proceed): claim = proceed
        }
        do {
            return try await database.write { db in
                try self.complete(claim, with: try body(db, claim), in: db)
            }.response
        } catch {
            await release(claim)
            throw error
        }
    }

    // MARK: Two steps

    /// Validates the key (before the body), reads and fingerprints the body, and claims the key, or
    /// decides the request from an existing row.
    /// - Throws: `APIError` 400 (key missing where required, or malformed), 409 (in flight, with
    ///   `Retry-After: 1`), 422 (the key was used with another body), 413 (body too large).
    public func begin(request: Request, context: ServiceRequestContext, scope: String? = nil, required: Bool) async throws -> IdempotencyOutcome {
        let key = try IdempotencyKey.parse(request.headers)
        if key == nil, required { throw IdempotencyKey.missing }
        let body = try await Self.collectBody(request, limit: context.bodyLimit)
        return try await claim(
            scope: scope ?? "\(request.method.rawValue) \(request.uri.path)",
            principal: context.principal.map { "sub:\($0.subject)" } ?? "anonymous",
            key: key, body: body, contentType: request.headers[.contentType])
    }

    /// `begin` without HTTP: claims `key` for a request with `body`, or decides it from the existing row.
    public func claim(scope: String, principal: String, key: String?, body: ByteBuffer, contentType: String? = "application/json") async throws -> IdempotencyOutcome {
        let fingerprint = RequestFingerprint.of(body)
        let token = UUID().uuidString.lowercased()
        let claim = IdempotencyClaim(scope: scope, principal: principal, key: key, fingerprint: fingerprint,
                                     leaseToken: token, body: body, contentType: contentType)
        guard let key else { return .proceed(claim) }
        let now = clock.now().idempotencyMillis
        let lockedUntil = now + settings.lease.idempotencyMillis
        let expiredBefore = now - settings.retention.idempotencyMillis
        return try await database.write { db -> IdempotencyOutcome in
            // A row past the retention is a key nobody remembers any more, pruned or not.
            try db.execute(sql: "DELETE FROM idempotency_request WHERE scope = ? AND principal = ? AND key = ? AND created_at <= ?",
                           arguments: [scope, principal, key, expiredBefore])
            try db.execute(
                sql: """
                    INSERT INTO idempotency_request (scope, principal, key, fingerprint, state, lease_token, locked_until, created_at)
                    VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?, ?)
                    ON CONFLICT (scope, principal, key) DO NOTHING
                    """,
                arguments: [scope, principal, key, fingerprint, token, lockedUntil, now])
            if db.changesCount == 1 { return .proceed(claim) }
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM idempotency_request WHERE scope = ? AND principal = ? AND key = ?",
                arguments: [scope, principal, key])
            else {
                // Unreachable: the insert conflicted with this very row inside the same transaction.
                throw APIError.internalError
            }
            let state: String = row["state"]
            let storedFingerprint: String = row["fingerprint"]
            let rowLockedUntil: Int64? = row["locked_until"]
            if state == "IN_PROGRESS", let rowLockedUntil, rowLockedUntil <= now {
                // Abandoned: its holder crashed or hung past the lease, and nothing of it committed.
                try db.execute(
                    sql: """
                        UPDATE idempotency_request SET fingerprint = ?, lease_token = ?, locked_until = ?
                        WHERE scope = ? AND principal = ? AND key = ? AND state = 'IN_PROGRESS'
                        """,
                    arguments: [fingerprint, token, lockedUntil, scope, principal, key])
                return .proceed(claim)
            }
            guard storedFingerprint == fingerprint else {
                throw APIError.unprocessable(
                    "This Idempotency-Key was already used with a different request; use a new key for a new request",
                    errors: [FieldError(field: "Idempotency-Key", message: "was used with a different request body")])
            }
            if state == "COMPLETED" {
                let code: Int = row["response_code"] ?? 0
                // Only 2xx answers are ever stored; anything else is a damaged row, not a status to send.
                guard (200..<300).contains(code) else { throw APIError.internalError }
                let body: [UInt8] = (row["response_body"] as Data?).map(Array.init) ?? []
                return .replay(IdempotentAnswer(status: Self.successStatus(code),
                                                headers: IdempotentAnswer.headers(stored: row["response_headers"]),
                                                body: body, replayed: true))
            }
            throw APIError(.conflict, "A request with this Idempotency-Key is still being processed; retry shortly",
                           errors: [FieldError(field: "Idempotency-Key", message: "is in use by a request in flight")],
                           headers: [.retryAfter: "1"])
        }
    }

    /// Finishes `claim` inside the business write's transaction `db`: a 2xx answer is stored with the key,
    /// anything else frees the key. Returns the answer to send.
    /// - Throws: 409 when the claim lost its lease to a retry (so the caller's transaction, business write
    ///   included, rolls back); encoding errors of the payload.
    public func complete<Payload: Encodable & Sendable>(_ claim: IdempotencyClaim, with answer: EnvelopeResponse<Payload>, in db: Database) throws -> IdempotentAnswer {
        let encoded = try IdempotentAnswer(answer)
        guard let key = claim.key else { return encoded }
        guard (200..<300).contains(encoded.status.code) else {
            try db.execute(sql: "DELETE FROM idempotency_request WHERE scope = ? AND principal = ? AND key = ? AND lease_token = ?",
                           arguments: [claim.scope, claim.principal, key, claim.leaseToken])
            return encoded
        }
        try db.execute(
            sql: """
                UPDATE idempotency_request
                SET state = 'COMPLETED', response_code = ?, response_headers = ?, response_body = ?,
                    locked_until = NULL, completed_at = ?
                WHERE scope = ? AND principal = ? AND key = ? AND lease_token = ? AND state = 'IN_PROGRESS'
                """,
            arguments: [encoded.status.code, encoded.storedHeaders, Data(encoded.body), clock.now().idempotencyMillis,
                        claim.scope, claim.principal, key, claim.leaseToken])
        guard db.changesCount == 1 else {
            throw APIError(.conflict, "This request outlived its Idempotency-Key lease and another request took the key over; nothing was changed",
                           errors: [FieldError(field: "Idempotency-Key", message: "lease expired")],
                           headers: [.retryAfter: "1"])
        }
        return encoded
    }

    /// Frees the key of a request that failed, so the client can fix the cause and retry with the same key.
    /// Best effort and never cancelled: if it cannot run, the lease expires and a retry takes the key over.
    public func release(_ claim: IdempotencyClaim) async {
        guard let key = claim.key else { return }
        let database = database
        // An unstructured task: a cancelled request (client gone) must still free its key.
        _ = await Task {
            try? await database.write { db in
                try db.execute(sql: "DELETE FROM idempotency_request WHERE scope = ? AND principal = ? AND key = ? AND lease_token = ? AND state = 'IN_PROGRESS'",
                               arguments: [claim.scope, claim.principal, key, claim.leaseToken])
            }
        }.value
    }

    // MARK: Retention

    /// Deletes every key created at least `retention` before `now`; returns how many.
    @discardableResult
    public func prune(now: Date? = nil) async throws -> Int {
        let cutoff = (now ?? clock.now()).idempotencyMillis - settings.retention.idempotencyMillis
        return try await database.write { db in
            try db.execute(sql: "DELETE FROM idempotency_request WHERE created_at <= ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// The status with its usual reason phrase, as the first answer had it.
    private static func successStatus(_ code: Int) -> HTTPResponse.Status {
        let known: [HTTPResponse.Status] = [.ok, .created, .accepted, .nonAuthoritativeInformation, .noContent, .resetContent, .partialContent]
        return known.first { $0.code == code } ?? HTTPResponse.Status(code: code)
    }

    private static func collectBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.contentTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: limit)
        }
    }
}
