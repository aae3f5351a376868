import Contracts
import Foundation
import GRDB
import ServiceKit

/// Applies `iam.user.v1` to the customer service's tables, inside the consumer runner's transaction (its
/// inbox makes a redelivered event a no-op; the handlers are idempotent by state as well, so the same fact
/// under another event id changes nothing either). Events of other types on the topic are skipped.
struct IAMUserEvents: Sendable {
    let clock: ServiceClock

    func apply(_ event: ReceivedEvent, _ db: Database) throws {
        // Events this change causes carry the IAM event as their cause and keep its correlation.
        let metadata = EventMetadata(correlationId: event.correlationId ?? event.eventId, causationId: event.eventId,
                                     traceparent: event.traceparent)
        switch event.eventType {
        case UserRegistered.eventType:
            try userRegistered(try event.decode(UserRegistered.self), db, metadata: metadata)
        case UserAccountStatusChanged.eventType:
            try accountStatusChanged(try event.decode(UserAccountStatusChanged.self), db, at: event.occurredAt ?? clock.now())
        default:
            // UserRoleChanged and others: nothing of this service depends on them. (IAM publishes no
            // UserDeleted yet; when it does, it anonymizes the profile and deletes the address book here.)
            return
        }
    }

    /// A profile with the registration's names, or the missing ones filled into a profile the token created.
    func userRegistered(_ event: UserRegistered, _ db: Database, metadata: EventMetadata) throws {
        try CustomerStore.applyRegistration(db, event, now: clock.now(), metadata: metadata)
    }

    /// Remembers whether the account is enabled; a disabled one cannot change its profile or addresses.
    func accountStatusChanged(_ event: UserAccountStatusChanged, _ db: Database, at: Date) throws {
        try CustomerStore.applyAccountStatus(db, event, at: at)
    }
}
