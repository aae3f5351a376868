import Logging
import Synchronization

/// Register, then heartbeat forever; every failure is logged and retried, never thrown (only cancellation ends it).
struct RegistrationLoop: Sendable {
    let client: DiscoveryClient
    let serviceName: String
    let request: InstanceRegistrationRequest
    let settings: DiscoveryRegistration.Settings
    let registered: RegisteredFlag
    let logger: Logger

    func run() async throws {
        try await registerUntilAccepted()
        let instanceId = request.instanceId ?? ""
        while true {
            try await Task.sleep(for: settings.heartbeatInterval)
            do {
                switch try await client.heartbeat(serviceName, instanceId: instanceId) {
                case .renewed:
                    logger.trace("heartbeat", metadata: ["instanceId": "\(instanceId)"])
                case .unknownInstance:
                    logger.info("the registry no longer knows this instance; registering again", metadata: ["instanceId": "\(instanceId)"])
                    try await registerUntilAccepted()
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.warning("heartbeat failed; trying again at the next one", metadata: ["error": "\(error)"])
            }
        }
    }

    private func registerUntilAccepted() async throws {
        var delay = settings.initialRetryDelay
        var attempt = 1
        while true {
            do {
                let instance = try await client.register(serviceName, request)
                registered.set()
                logger.info("registered with the registry", metadata: [
                    "registry": "\(client.registryURL)", "instanceId": "\(instance.instanceId)", "url": "\(instance.url)"])
                return
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let level: Logger.Level = attempt == 1 || attempt % 10 == 0 ? .warning : .debug
                logger.log(level: level, "registry unreachable; retrying registration", metadata: [
                    "registry": "\(client.registryURL)", "attempt": "\(attempt)", "error": "\(error)"])
            }
            // Equal jitter: half the delay fixed, half random, so restarted fleets do not stampede.
            let half = ServiceHTTPClient.nanoseconds(delay) / 2
            try await Task.sleep(for: .nanoseconds(half + (half > 0 ? Int64.random(in: 0...half) : 0)))
            delay = min(delay * 2, settings.heartbeatInterval)
            attempt += 1
        }
    }
}

/// Whether a registration was ever accepted (so shutdown knows to deregister).
final class RegisteredFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}

/// The instance id, known once the port is.
final class Identity: Sendable {
    private let id = Mutex<String?>(nil)
    func set(_ value: String) { id.withLock { $0 = value } }
    var value: String? { id.withLock { $0 } }
}
