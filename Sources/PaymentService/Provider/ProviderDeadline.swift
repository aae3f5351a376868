import Foundation

/// Bounds one provider call by `PSP_CALL_TIMEOUT_MS`: the call is cancelled when the time is up and
/// `PaymentError.providerTimeout` is thrown, so a provider that never answers costs one deadline, never
/// a request that hangs.
struct ProviderDeadline: Sendable {
    let timeout: Duration

    func run<T: Sendable>(_ operation: String, _ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await call() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw PaymentError.providerTimeout(operation: operation, timeout: timeout)
            }
            return value
        }
    }
}
