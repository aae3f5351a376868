import Foundation
import ShopTestSupport
import Testing

/// A configuration key no service reads is reported, before start (`shop check-config`) and at start-up.
@Suite struct ConfigurationKeysTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config-repo").path

    static func shop(_ arguments: [String]) async throws -> Command.Result {
        try await Command.run(ServiceProcess.shopBinaryPath, arguments)
    }

    @Test func theShippedSampleConfigurationHasOnlyKnownKeys() async throws {
        let result = try await Self.shop(["check-config", Self.repository])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func aMisspeltKeyIsNamedWithItsFile() async throws {
        let copy = NSTemporaryDirectory() + "config-check-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: Self.repository, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try "GATEWAY_RATE_LIMIT_AUTH_BURST=20\nGATEWAY_RATE_BURST=200\n".write(toFile: copy + "/gateway.properties", atomically: true, encoding: .utf8)
        try "LOG_LEVLE=debug\n".write(toFile: copy + "/application-typo.properties", atomically: true, encoding: .utf8)
        try "X=1\n".write(toFile: copy + "/nosuchservice.properties", atomically: true, encoding: .utf8)
        let result = try await Self.shop(["check-config", copy])
        #expect(result.status == 1)
        #expect(result.output.contains("gateway.properties: GATEWAY_RATE_LIMIT_AUTH_BURST is read by no service (gateway)"), "\(result.output)")
        #expect(result.output.contains("application-typo.properties: LOG_LEVLE is read by no service"))
        #expect(result.output.contains("nosuchservice.properties: no service is named 'nosuchservice'"))
        #expect(!result.output.contains("GATEWAY_RATE_BURST "))
    }

    @Test func aServiceWarnsAtStartUpAboutKeysItDoesNotKnow() async throws {
        let data = NSTemporaryDirectory() + "config-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let registry = try await ServiceProcess(service: "discovery", environment: [
            "DATA_DIR": data, "LOG_FORMAT": "json", "DISCOVERY_TTL_SECONDS": "5", "DISCOVERY_INSTANCE_TTL_SECONDS": "30",
        ], logFile: data + "/discovery.log")
        await registry.stop()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let log = try String(contentsOfFile: data + "/discovery.log", encoding: .utf8)
        let warnings = log.split(separator: "\n").filter { $0.contains("unknown configuration key") }
        #expect(warnings.count == 1, "\(log)")
        #expect(warnings.first?.contains("DISCOVERY_TTL_SECONDS") == true)
        #expect(warnings.first?.contains("\"level\":\"warning\"") == true)
    }
}
