import Foundation
import ServiceKit

/// Inventory's own settings (`INVENTORY_*`, API.md §10). Every field has a default that works for
/// `shop up`; `init(environment:)` reads them, and an unparsable or out-of-range value is an error naming
/// the variable.
public struct InventoryConfiguration: Sendable {
    /// `INVENTORY_RESERVATION_TTL_SECONDS` (900): how long a reservation lives when the request names no
    /// `ttlSeconds` (the order's `paymentDueBy`). As low as 1 s, so tests can watch the sweeper.
    public var reservationTTL: Int = 900
    /// `INVENTORY_RESERVATION_EXTENSION_SECONDS` (600): the one extension when payment starts.
    public var reservationExtension: Int = 600
    /// `INVENTORY_EXPIRY_SWEEP_MS` (1000): how often the sweeper looks for reservations past their expiry.
    public var expirySweepInterval: Duration = .seconds(1)
    /// `INVENTORY_EXPIRY_SWEEP_BATCH` (100): reservations expired per sweeper transaction.
    public var expirySweepBatch: Int = 100
    /// `Idempotency-Key` lease and retention (`IDEMPOTENCY_LEASE_SECONDS`, `IDEMPOTENCY_RETENTION_HOURS`).
    public var idempotency = IdempotencySettings()

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        reservationTTL = try env.int("INVENTORY_RESERVATION_TTL_SECONDS", default: 900, range: 1...86_400)
        reservationExtension = try env.int("INVENTORY_RESERVATION_EXTENSION_SECONDS", default: 600, range: 1...86_400)
        expirySweepInterval = .milliseconds(try env.int("INVENTORY_EXPIRY_SWEEP_MS", default: 1000, range: 50...3_600_000))
        expirySweepBatch = try env.int("INVENTORY_EXPIRY_SWEEP_BATCH", default: 100, range: 1...10_000)
        idempotency = try IdempotencySettings(environment: environment)
    }

    /// Every `INVENTORY_*` variable `init(environment:)` reads (the shared `IDEMPOTENCY_*` ones are
    /// ServiceConfig's).
    public static let settingNames = [
        "INVENTORY_RESERVATION_TTL_SECONDS", "INVENTORY_RESERVATION_EXTENSION_SECONDS",
        "INVENTORY_EXPIRY_SWEEP_MS", "INVENTORY_EXPIRY_SWEEP_BATCH",
    ]
}
