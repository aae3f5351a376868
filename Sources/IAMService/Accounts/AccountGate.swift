import Foundation

/// Whether an account may sign in or refresh, checked only after its password (or refresh token) proved
/// the caller's identity, so the distinct errors reveal nothing to a stranger.
enum AccountGate {
    static func problem(for user: UserAccount, at now: Date) -> IAMError? {
        if !user.enabled { return .accountDisabled }
        if !user.accountNonLocked { return .accountLocked(until: nil) }
        if let until = user.lockedUntil, until > now { return .accountLocked(until: until) }
        if !user.accountNonExpired { return .accountExpired }
        if !user.credentialsNonExpired { return .credentialsExpired }
        return nil
    }
}
