import Synchronization

/// Owns what a test starts and stops all of it, in reverse order, when the test body ends or throws.
final class TestScope: Sendable {
    private let stoppers = Mutex<[@Sendable () async -> Void]>([])

    static func run(_ body: (TestScope) async throws -> Void) async throws {
        let scope = TestScope()
        do {
            try await body(scope)
        } catch {
            await scope.stopAll()
            throw error
        }
        await scope.stopAll()
    }

    func echo(_ name: String, port: Int = 0, jwks: String? = nil, registry: [String: [String]]? = nil) async throws -> EchoUpstream {
        let upstream = try await EchoUpstream(name, port: port, jwks: jwks, registry: registry)
        stoppers.withLock { $0.append { await upstream.stop() } }
        return upstream
    }

    func gateway(_ environment: [String: String]) async throws -> TestGateway {
        let gateway = try await TestGateway(environment)
        stoppers.withLock { $0.append { await gateway.stop() } }
        return gateway
    }

    func onStop(_ stop: @escaping @Sendable () async -> Void) {
        stoppers.withLock { $0.append(stop) }
    }

    private func stopAll() async {
        let all = stoppers.withLock { list in
            defer { list = [] }
            return list
        }
        for stop in all.reversed() { await stop() }
    }
}
