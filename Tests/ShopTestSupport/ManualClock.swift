import Foundation
import ServiceKit
import Synchronization

/// A clock a test moves by hand, for services that take a `ServiceClock`: start at a known instant (whole
/// seconds, as SQLite and the wire keep milliseconds), then `advance` past TTLs and deadlines without waiting.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(start: Date = Date()) {
        current = Mutex(Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down)))
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    public func advance(seconds: TimeInterval) { advance(by: seconds) }

    public var serviceClock: ServiceClock { ServiceClock { [self] in self.now } }
}
