import Foundation
import ServiceKit

/// The identity and access service's (port 8081) domain core, assembled. HTTP routes hold one of these.
public struct IAMCore: Sendable {
    public let configuration: IAMConfiguration
    public let store: IAMStore
    public let hasher: PasswordHasher
    public let signingKeys: SigningKeyRing
    public let accounts: IAMAccounts
    public let tokens: IAMTokens

    /// Builds the core over a database opened with `IAMStore.migrations` and loads (creating or rotating
    /// when due) the signing keys. Admin seeding is separate: `accounts.seedAdmin(_:)`.
    public static func start(
        database: ServiceDatabase, configuration: IAMConfiguration = IAMConfiguration(), clock: ServiceClock = .system
    ) async throws -> IAMCore {
        let store = IAMStore(database: database)
        let hasher = PasswordHasher(parameters: configuration.passwordHashing)
        let signingKeys = SigningKeyRing(store: store, configuration: configuration, clock: clock)
        try await signingKeys.load()
        return IAMCore(
            configuration: configuration, store: store, hasher: hasher, signingKeys: signingKeys,
            accounts: IAMAccounts(store: store, hasher: hasher, configuration: configuration, clock: clock),
            tokens: IAMTokens(store: store, signingKeys: signingKeys, hasher: hasher, configuration: configuration,
                              clock: clock))
    }
}
