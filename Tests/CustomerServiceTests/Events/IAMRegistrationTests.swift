import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import CustomerService

/// End to end with the real producer: a user who registers at a real `shop serve iam` gets a customer
/// profile with the names given at registration (IAM's `UserRegistered` carries them), and the customer
/// service trusts IAM's own tokens.
@Suite(.serialized) struct IAMRegistrationTests {
    @Test func aUserRegisteredAtIAMGetsAProfileWithTheRegistrationNames() async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        let directory = NSTemporaryDirectory() + "customer-iam-" + UUID().uuidString.lowercased()
        let iamPort = BrokerProcess.freePort()
        let issuer = "http://127.0.0.1:\(iamPort)"
        let shared = ["KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "JWT_ISSUER": issuer, "OUTBOX_POLL_INTERVAL_MS": "100",
                      "LOG_LEVEL": "warning"]
        let iam = try await ServiceProcess(service: "iam", port: iamPort, environment: shared.merging(["DATA_DIR": directory + "/iam"]) { $1 },
                                           logFile: directory + "-iam.log")
        defer { iam.cleanUp(removing: [directory, directory + "-iam.log"]) }
        let iamClient = EnvelopeClient(baseURL: iam.baseURL)
        let registered = try await iamClient.send(.POST, "/auth/register", json: [
            "email": "mary@example.com", "password": "correct horse battery", "firstName": "Mary", "lastName": "Somerville",
            "phoneNumber": "+44 131 496 0000",
        ])
        let userId = try #require(registered.data?["id"]?.stringValue, "registration answered \(registered.status) \(registered.text)")
        let login = try await iamClient.send(.POST, "/auth/login", json: ["email": "mary@example.com", "password": "correct horse battery"])
        let token = try #require(login.data?["accessToken"]?.stringValue)

        let testIssuer = try await TestTokenIssuer.start()  // the fixture wants one; IAM's keys are the ones trusted here
        let environment = shared.merging(["JWKS_URL": issuer + "/.well-known/jwks.json"]) { $1 }
        try await CustomerHTTPFixture.with(environment: environment, dataDirectory: directory + "/customer", issuer: testIssuer,
                                           messaging: true) { fixture in
            try await eventually("the profile has the registration's names", timeout: .seconds(90)) {
                guard try await fixture.profileCount(userId: userId) == 1 else { return false }
                return try await fixture.outboxEventTypes(userId: userId) == ["CustomerProfileCreated"]
            }
            let profile = try await fixture.client.get("/customers/me", bearer: token)
            #expect(profile.status == 200 && profile.data?["userId"]?.stringValue == userId)
            #expect(profile.data?["firstName"]?.stringValue == "Mary" && profile.data?["lastName"]?.stringValue == "Somerville")
            #expect(profile.data?["phoneNumber"]?.stringValue == "+44 131 496 0000")
            #expect(profile.data?["email"]?.stringValue == "mary@example.com")
        }
        await testIssuer.stop()
    }
}
