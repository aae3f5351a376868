import Foundation
import ServiceKit
import ShopTestSupport

/// A real broker process and a real `shop serve iam` process with its own data directory.
final class IAMProcessFixture: @unchecked Sendable {
    // @unchecked: `iam` and `broker` are replaced only by the test that owns the fixture, on its own task.
    let dataDirectory: String
    let brokerPort: Int
    var broker: BrokerProcess?
    var iam: ServiceProcess
    let environment: [String: String]
    static let adminEmail = "admin@shop.test"
    static let adminPassword = "admin-password-for-tests"

    var client: EnvelopeClient { EnvelopeClient(baseURL: iam.baseURL) }
    var bootstrap: String { "127.0.0.1:\(brokerPort)" }

    init(brokerRunning: Bool = true, extraEnvironment: [String: String] = [:]) async throws {
        dataDirectory = NSTemporaryDirectory() + "iam-tests-" + UUID().uuidString
        brokerPort = BrokerProcess.freePort()
        if brokerRunning {
            broker = try await BrokerProcess(port: brokerPort, dataDirectory: dataDirectory + "/broker")
        }
        var environment = [
            "DATA_DIR": dataDirectory,
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:\(brokerPort)",
            "IAM_ADMIN_EMAIL": Self.adminEmail,
            "IAM_ADMIN_PASSWORD": Self.adminPassword,
            "IAM_SERVICE_CLIENTS": "order-service:order-secret-123:inventory.read payments.write",
            "LOG_LEVEL": "warning",
            "OUTBOX_POLL_INTERVAL_MS": "200",
        ]
        for (key, value) in extraEnvironment { environment[key] = value }
        self.environment = environment
        iam = try await ServiceProcess(service: "iam", environment: environment, logFile: dataDirectory + "/iam.log")
    }

    func startBroker() async throws {
        broker = try await BrokerProcess(port: brokerPort, dataDirectory: dataDirectory + "/broker")
    }

    /// SIGKILL the service and start it again on the same port and data.
    func crashAndRestartIAM() async throws {
        await iam.kill()
        iam = try await ServiceProcess(service: "iam", port: iam.port, environment: environment, logFile: dataDirectory + "/iam-2.log")
    }

    /// For `defer`: stops both processes and removes the data without waiting here.
    func stop() {
        broker?.shutdown()
        iam.cleanUp(removing: [dataDirectory])
    }

    // MARK: helpers used by several tests

    func register(_ email: String, password: String = "correct horse battery") async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/auth/register", json: [
            "email": .string(email), "password": .string(password),
            "firstName": "Ada", "lastName": "Lovelace", "phoneNumber": "+44 20 7946 0000",
        ])
    }

    func login(_ email: String, password: String = "correct horse battery") async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/auth/login", json: ["email": .string(email), "password": .string(password)])
    }

    func accessToken(_ email: String, password: String = "correct horse battery") async throws -> String {
        let answer = try await login(email, password: password)
        guard let token = answer.data?["accessToken"]?.stringValue else {
            throw FixtureError.unexpected("login of \(email) failed: \(answer.text)")
        }
        return token
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        try await ShopTestSupport.eventually(what, timeout: timeout, condition)
    }

    /// The `iam.user.v1` records whose key is `userId`.
    func userEvents(_ userId: String) async throws -> [TopicReader.Event] {
        try await TopicReader.readAll(topic: "iam.user.v1", bootstrap: bootstrap).filter { $0.key == userId }
    }

    /// Unpublished outbox rows, from the service's own metrics.
    func unpublishedOutboxRows() async throws -> Int? {
        let answer = try await client.send(.GET, "/metrics")
        for line in answer.text.split(separator: "\n") where line.hasPrefix("outbox_unpublished_rows") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return Int(value) }
        }
        return nil
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case unexpected(String)
    var description: String {
        switch self { case .unexpected(let message): message }
    }
}
