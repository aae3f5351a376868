import Logging
import ServiceKit
import ServiceLifecycle
import ShopTestSupport
import Synchronization
import Testing

/// The periodic-job runner: runs at the interval, survives a failing run, stops at graceful shutdown.
@Suite struct PeriodicJobTests {
    struct Failure: Error {}

    @Test func runsRepeatedlyAndAFailingRunDoesNotEndIt() async throws {
        let runs = Mutex(0)
        let job = PeriodicJob("test job", every: .milliseconds(20), start: .immediately, logger: Logger(label: "test")) {
            let count = runs.withLock { $0 += 1; return $0 }
            if count == 2 { throw Failure() }
        }
        let group = ServiceGroup(services: [job], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        try await eventually("five runs, the second of which failed", timeout: .seconds(90)) { runs.withLock { $0 } >= 5 }
        await group.triggerGracefulShutdown()
        try await running.value
        let afterStop = runs.withLock { $0 }
        // Stopped: no run after shutdown returned.
        try await Task.sleep(for: .milliseconds(100))
        #expect(runs.withLock { $0 } == afterStop)
    }
}
