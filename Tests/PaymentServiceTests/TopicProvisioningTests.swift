import Contracts
import Foundation
import Logging
@testable import PaymentService
import ShopTestSupport
import Testing

/// Start-up must not hang on a broker that is down: provisioning gives up within its bound.
@Suite struct TopicProvisioningTests {
    @Test func givesUpWhenTheBrokerIsDown() async throws {
        let closed = "127.0.0.1:\(BrokerProcess.freePort())"
        let started = ContinuousClock.now
        await TopicProvisioning.ensure([Topics.orderOrder], bootstrap: [closed], within: .seconds(1), logger: Logger(label: "test"))
        // Generous against a loaded machine; a hang would take the client's own timeouts (tens of seconds).
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
