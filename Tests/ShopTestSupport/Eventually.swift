/// Polls `condition` until it holds, failing after `timeout`: waiting for an observable state with a
/// bound, never a fixed sleep standing in for synchronisation.
public func eventually(_ what: String, timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
                       _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw WaitTimeout(what: what, timeout: timeout)
}

public struct WaitTimeout: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    public var description: String { "timed out after \(timeout) waiting for: \(what)" }
}
