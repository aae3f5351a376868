import ServiceKit
import Testing

/// Keys a service would ignore in silence are reported at start-up.
@Suite struct SettingsAuditTests {
    static let gatewayKnown = ["GATEWAY_RATE_BURST", "GATEWAY_UPSTREAM_TIMEOUT_MS", "UPSTREAM_*_URL", "UPSTREAM_*_TIMEOUT_MS"]

    @Test func misspeltKeysFromTheConfigServerAreReported() {
        let unknown = SettingsAudit.unknownKeys(
            service: "gateway", known: Self.gatewayKnown, otherServices: ["iam", "gateway"],
            remote: ["GATEWAY_RATE_LIMIT_AUTH_BURST": "20", "GATEWAY_RATE_BURST": "200", "LOG_LEVEL": "info",
                     "IAM_LOCKOUT_SECONDS": "900", "UPSTREAM_ORDER_URL": "http://x", "LOG_LEVLE": "debug"],
            environment: [:])
        // Another service's keys in the shared file belong to it; the shared settings are known to all.
        #expect(unknown == [.init(key: "GATEWAY_RATE_LIMIT_AUTH_BURST", source: .configServer),
                            .init(key: "LOG_LEVLE", source: .configServer)])
    }

    @Test func theEnvironmentIsCheckedForOwnAndShopPrefixesOnly() {
        let unknown = SettingsAudit.unknownKeys(
            service: "gateway", known: Self.gatewayKnown, otherServices: ["iam", "gateway"], remote: [:],
            environment: ["PATH": "/bin", "GATEWAY_UPSTREAM_TIMEOUT_SECONDS": "10", "SHOP_PROFLE": "dev", "SHOP_PROFILE": "dev",
                          "IAM_WHATEVER": "1", "UPSTREAM_IAM_TIMEOUT_MS": "5"])
        #expect(unknown.map(\.key) == ["GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "SHOP_PROFLE"])
        #expect(unknown.allSatisfy { $0.source == .environment })
    }
}
