import Contracts
import Foundation
@testable import PaymentService
import ServiceKit
import Testing

/// `PaymentConfiguration` reads its variables with units and ranges, and refuses what it cannot use.
@Suite struct ConfigurationTests {
    static func configuration(_ environment: [String: String]) throws -> PaymentConfiguration {
        let config = try ServiceConfig(serviceName: "payment", defaultPort: 8086, environment: environment)
        return try PaymentConfiguration(config: config, environment: environment)
    }

    @Test func defaultsMatchTheContract() throws {
        let configuration = try Self.configuration([:])
        #expect(configuration.currency == .EUR)
        #expect(configuration.providerCallTimeout == .milliseconds(2000))
        #expect(configuration.delayedSuccess == 5)
        #expect(configuration.clientSecret == nil)
        #expect(configuration.tokenURL.hasSuffix("/oauth2/token"))
    }

    @Test func readsAndChecksEachVariable() throws {
        let configuration = try Self.configuration([
            "SHOP_CURRENCY": "GBP", "PSP_CALL_TIMEOUT_MS": "250", "PSP_DELAYED_SUCCESS_SECONDS": "0",
            "PAYMENT_RECONCILE_INTERVAL_MS": "50", "SERVICE_CLIENT_ID": "payment-service", "SERVICE_CLIENT_SECRET": "s3cret", "JWT_ISSUER": "http://iam.example",
        ])
        #expect(configuration.currency == .GBP && configuration.providerCallTimeout == .milliseconds(250))
        #expect(configuration.delayedSuccess == 0 && configuration.reconcileInterval == .milliseconds(50))
        #expect(configuration.clientSecret == "s3cret" && configuration.tokenURL == "http://iam.example/oauth2/token")
        for (name, value) in [("SHOP_CURRENCY", "XXX"), ("PSP_CALL_TIMEOUT_MS", "5"), ("PSP_CALL_TIMEOUT_MS", "2s"),
                              ("PSP_DELAYED_SUCCESS_SECONDS", "-1"), ("PAYMENT_RECONCILE_INTERVAL_MS", "0")] {
            #expect(throws: ConfigError.self, "\(name)=\(value)") { _ = try Self.configuration([name: value]) }
        }
        #expect(PaymentServer.settingNames.contains("PSP_CALL_TIMEOUT_MS"))
    }
}
