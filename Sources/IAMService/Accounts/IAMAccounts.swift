import Foundation
import ServiceKit

/// Accounts: registration, login, admin changes and listing. Decides; the store persists and publishes.
public struct IAMAccounts: Sendable {
    public let store: IAMStore
    public let hasher: PasswordHasher
    public let configuration: IAMConfiguration
    public let clock: ServiceClock

    public init(store: IAMStore, hasher: PasswordHasher, configuration: IAMConfiguration, clock: ServiceClock = .system) {
        self.store = store
        self.hasher = hasher
        self.configuration = configuration
        self.clock = clock
    }

    /// Creates a customer account and publishes `UserRegistered`.
    /// - Throws: `.validation` (every bad field at once), `.emailTaken`.
    public func register(_ registration: Registration, metadata: EventMetadata = EventMetadata()) async throws -> UserAccount {
        try await create(registration, roles: [.customer], metadata: metadata)
    }

    /// Checks email and password. Unknown email and wrong password throw the same `.invalidCredentials`
    /// after the same amount of argon2 work; account state (`.accountDisabled`, `.accountLocked`, …) is
    /// reported only once the password was right.
    public func login(email rawEmail: String, password: String, metadata: EventMetadata = EventMetadata()) async throws -> UserAccount {
        let email = EmailAddress.normalize(rawEmail)
        guard !email.isEmpty, !password.isEmpty, let user = try await store.user(email: email) else {
            try await hasher.verifyDummy(password)
            throw IAMError.invalidCredentials
        }
        guard try await hasher.verify(password, against: user.passwordHash) else {
            try await store.recordFailedLogin(
                userId: user.id, now: clock.now(), threshold: configuration.lockoutThreshold,
                duration: configuration.lockoutDuration, metadata: metadata)
            throw IAMError.invalidCredentials
        }
        let now = clock.now()
        if let problem = AccountGate.problem(for: user, at: now) { throw problem }
        let rehashed = hasher.needsRehash(user.passwordHash) ? try await hasher.hash(password) : nil
        try await store.recordSuccessfulLogin(userId: user.id, now: now, rehashedPassword: rehashed, metadata: metadata)
        return try await store.user(id: user.id) ?? user
    }

    public func user(id: String) async throws -> UserAccount {
        guard let user = try await store.user(id: id) else { throw IAMError.notFound("user") }
        return user
    }

    /// Admin listing, zero-based pages ordered by creation. `size` is clamped to 1…100.
    public func listUsers(page: Int = 0, size: Int = 20) async throws -> UserPage {
        try await store.listUsers(page: max(0, page), size: min(100, max(1, size)))
    }

    /// An admin's change (roles, enabled, locked) in one transaction with its events.
    /// - Throws: `.notFound("user")`, `.versionConflict`, `.lastAdmin`, `.validation` (empty roles).
    public func updateUser(
        id: String, change: UserAccountChange, expectedVersion: Int? = nil, actorId: String? = nil,
        metadata: EventMetadata = EventMetadata()
    ) async throws -> UserAccount {
        if let roles = change.roles, roles.isEmpty {
            throw IAMError.validation([FieldError(field: "roles", message: "must contain at least one role")])
        }
        return try await store.updateUser(
            id: id, change: change, expectedVersion: expectedVersion, actorId: actorId, now: clock.now(),
            metadata: metadata)
    }

    public func changeRoles(id: String, to roles: Set<Role>, actorId: String? = nil, metadata: EventMetadata = EventMetadata()) async throws -> UserAccount {
        try await updateUser(id: id, change: UserAccountChange(roles: roles), actorId: actorId, metadata: metadata)
    }

    public func setEnabled(id: String, _ enabled: Bool, actorId: String? = nil, metadata: EventMetadata = EventMetadata()) async throws -> UserAccount {
        try await updateUser(id: id, change: UserAccountChange(enabled: enabled), actorId: actorId, metadata: metadata)
    }

    public func setLocked(id: String, _ locked: Bool, actorId: String? = nil, metadata: EventMetadata = EventMetadata()) async throws -> UserAccount {
        try await updateUser(id: id, change: UserAccountChange(locked: locked), actorId: actorId, metadata: metadata)
    }

    // MARK: - Internals shared with admin seeding

    func create(_ registration: Registration, roles: Set<Role>, metadata: EventMetadata) async throws -> UserAccount {
        let email = EmailAddress.normalize(registration.email)
        let firstName = registration.firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        let lastName = registration.lastName.trimmingCharacters(in: .whitespacesAndNewlines)
        let phone = registration.phoneNumber?.trimmingCharacters(in: .whitespacesAndNewlines)
        let problems = registration.problems(policy: configuration.passwordPolicy)
        if !problems.isEmpty { throw IAMError.validation(problems) }

        let hash = try await hasher.hash(registration.password)
        let now = clock.now()
        let user = UserAccount(
            id: UUID().uuidString.lowercased(), email: email, firstName: firstName, lastName: lastName,
            phoneNumber: (phone?.isEmpty ?? true) ? nil : phone, roles: roles, enabled: true,
            accountNonLocked: true, accountNonExpired: true, credentialsNonExpired: true, failedLoginCount: 0,
            lockedUntil: nil, lastLoginAt: nil, passwordChangedAt: now, createdAt: now, updatedAt: now, version: 1,
            passwordHash: hash)
        try await store.insertUser(user, metadata: metadata)
        return user
    }

    static func nameProblems(_ name: String, field: String) -> [FieldError] {
        if name.isEmpty { return [FieldError(field: field, message: "must not be empty")] }
        if name.count > 100 { return [FieldError(field: field, message: "must be at most 100 characters")] }
        // Unicode's control characters (Cc), as every declared text rule counts them (FieldRule.text).
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [FieldError(field: field, message: "must not contain control characters")]
        }
        return []
    }

    static func isPlausiblePhone(_ phone: String) -> Bool {
        let allowed = CharacterSet(charactersIn: "0123456789+-() .")
        let digits = phone.filter(\.isNumber).count
        return phone.count <= 32 && digits >= 4 && phone.unicodeScalars.allSatisfy { allowed.contains($0) }
    }
}
