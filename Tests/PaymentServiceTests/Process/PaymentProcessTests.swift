import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// `shop serve payment` as a real process: a payment whose capture comes later survives a SIGKILL
/// between its initiation and the capture, and its events are published once each.
@Suite struct PaymentProcessTests {
    @Test func delayedCaptureSurvivesACrash() async throws {
        let dataDirectory = NSTemporaryDirectory() + "payment-process-" + UUID().uuidString
        let broker = try await BrokerProcess(dataDirectory: dataDirectory + "/broker")
        defer { broker.shutdown() }
        // No topic exists yet: the service creates the ones it consumes before its consumer joins.
        let issuer = try await TestTokenIssuer.start()
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "order")
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        environment["PSP_DELAYED_SUCCESS_SECONDS"] = "2"
        environment["PSP_CALL_TIMEOUT_MS"] = "300"
        environment["PAYMENT_RECONCILE_INTERVAL_MS"] = "100"
        environment["LOG_LEVEL"] = "warning"
        var service = try await ServiceProcess(service: "payment", environment: environment, logFile: dataDirectory + "/payment-1.log")

        let userId = UUID().uuidString.lowercased()
        let token = try await issuer.userToken(subject: userId)
        let orderId = UUID().uuidString.lowercased()
        let total = Money(amountMinor: 1234, currency: .EUR)
        try await publisher.publish(OrderAwaitingPayment(orderId: orderId, userId: userId, total: total, paymentDueBy: Date().addingTimeInterval(900)))
        let body: JSONValue = ["orderId": .string(orderId), "method": "CARD", "paymentToken": "tok_delayed_success"]
        var first: EnvelopeClient.Answer?
        // 404 until the projection has the order; a 4xx stores nothing, so the same key is retried.
        try await eventually("the payment is initiated", timeout: .seconds(60), every: .milliseconds(100)) {
            let answer = try await EnvelopeClient(baseURL: service.baseURL).send(.POST, "/payments/initiate", json: body, bearer: token,
                                                                                 headers: [("Idempotency-Key", "crash-1")])
            first = answer
            return answer.status == 201
        }
        let initiated = try #require(first)
        #expect(initiated.data?["status"]?.stringValue == "INITIATED")
        let paymentId = try #require(initiated.data?["id"]?.stringValue)

        await service.kill()
        service = try await ServiceProcess(service: "payment", port: service.port, environment: environment,
                                           logFile: dataDirectory + "/payment-2.log")
        let client = EnvelopeClient(baseURL: service.baseURL)
        try await eventually("captured after the restart", timeout: .seconds(60), every: .milliseconds(100)) {
            try await client.get("/payments/status/\(paymentId)", bearer: token).data?["status"]?.stringValue == "CAPTURED"
        }
        // The key still replays the first answer after the restart.
        let replay = try await client.send(.POST, "/payments/initiate", json: body, bearer: token, headers: [("Idempotency-Key", "crash-1")])
        #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true" && replay.text == initiated.text)

        try await eventually("one PaymentInitiated and one PaymentSucceeded", timeout: .seconds(60), every: .milliseconds(200)) {
            let events = try await TopicReader.readAll(topic: Topics.paymentPayment, bootstrap: broker.bootstrap).filter { $0.key == orderId }
            return events.compactMap { $0.headers[EnvelopeHeader.eventType] } == ["PaymentInitiated", "PaymentSucceeded"]
        }
        await publisher.close()
        await issuer.stop()
        service.cleanUp(removing: [dataDirectory])
    }
}
