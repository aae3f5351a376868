import ServiceKit

/// Where the first administrator comes from (`IAM_ADMIN_EMAIL`, `IAM_ADMIN_PASSWORD`).
public struct AdminSeedConfiguration: Sendable, Equatable {
    /// Development default email, used when `adminEmail` is nil or empty.
    public static let defaultEmail = "admin@shop.local"
    /// Development default password, used only outside production when `adminPassword` is nil or empty.
    /// Documented so a fresh checkout can log in; never accepted in production.
    public static let developmentDefaultPassword = "change-me-admin-password"

    public var adminEmail: String?
    public var adminPassword: String?
    /// In production there is no default password: seeding without one fails.
    public var production: Bool

    public init(adminEmail: String? = nil, adminPassword: String? = nil, production: Bool) {
        self.adminEmail = adminEmail
        self.adminPassword = adminPassword
        self.production = production
    }

    /// Reads `IAM_ADMIN_EMAIL` and `IAM_ADMIN_PASSWORD`; `production` comes from the service's own mode.
    public init(environment: [String: String], production: Bool) {
        self.init(adminEmail: environment["IAM_ADMIN_EMAIL"], adminPassword: environment["IAM_ADMIN_PASSWORD"],
                  production: production)
    }
}

/// What seeding did.
public enum AdminSeedOutcome: Sendable, Equatable {
    /// Created this admin account; `usedDefaultPassword` says the development default was used (log a warning).
    case created(UserAccount, usedDefaultPassword: Bool)
    /// Some account already has the admin role; nothing was changed.
    case adminAlreadyPresent
}

extension IAMAccounts {
    /// Creates the first administrator when no account has the admin role yet (first start). Idempotent:
    /// later starts find an admin and change nothing, so a changed `IAM_ADMIN_PASSWORD` does not reset it.
    /// - Throws: `.configuration` in production without a password, or when the email belongs to an existing
    ///   non-admin account; `.validation` when the configured email or password breaks the policy.
    public func seedAdmin(_ seed: AdminSeedConfiguration, metadata: EventMetadata = EventMetadata()) async throws -> AdminSeedOutcome {
        let password: String
        var usedDefault = false
        if let configured = seed.adminPassword, !configured.isEmpty {
            password = configured
        } else if seed.production {
            throw IAMError.configuration(
                "IAM_ADMIN_PASSWORD must be set in production mode; there is no default admin password")
        } else {
            password = AdminSeedConfiguration.developmentDefaultPassword
            usedDefault = true
        }
        if try await store.hasAdmin() { return .adminAlreadyPresent }
        let email = seed.adminEmail.flatMap { $0.isEmpty ? nil : $0 } ?? AdminSeedConfiguration.defaultEmail
        let registration = Registration(email: email, password: password, firstName: "Shop", lastName: "Administrator")
        do {
            let admin = try await create(registration, roles: [.admin], metadata: metadata)
            return .created(admin, usedDefaultPassword: usedDefault)
        } catch IAMError.emailTaken {
            throw IAMError.configuration(
                "IAM_ADMIN_EMAIL \(EmailAddress.normalize(email)) belongs to an existing non-admin account; promote it or choose another email")
        }
    }
}
