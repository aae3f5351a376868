import Foundation
import NIOCore
import Testing
@testable import KafkaWire

/// Request frames captured from real clients (kcat / librdkafka 2.0.2, kafka-python 3.0.12,
/// confluent-kafka / librdkafka 2.16, and the older sarama 1.22.1 and kafka-go 0.2.1 from Debian) by
/// scripts/capture-fixtures.py: each must decode, and encode back to exactly the bytes the client sent.
@Suite struct CapturedFixtureTests {
    static let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var fixtures: [String] {
        guard let clients = try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path) else { return [] }
        return clients.sorted().flatMap { client in
            ((try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.appendingPathComponent(client).path)) ?? [])
                .filter { $0.hasSuffix(".bin") }.sorted().map { "\(client)/\($0)" }
        }
    }

    @Test func everyClientFamilyIsCaptured() {
        let clients = Set(Self.fixtures.map { $0.split(separator: "/")[0] })
        #expect(clients == ["kcat", "kafka-python", "confluent-kafka", "sarama", "kafka-go"])
        #expect(Self.fixtures.count >= 57)
    }

    @Test(arguments: fixtures)
    func decodesAndReencodesByteForByte(_ fixture: String) throws {
        let bytes = try Data(contentsOf: Self.fixturesDirectory.appendingPathComponent(fixture))
        var frame = ByteBuffer(bytes: bytes)
        let header = try RequestHeader.decode(from: &frame)
        let key = try #require(header.apiKey)
        guard key.supportedVersions.contains(header.apiVersion) else {
            // kafka-python opens with ApiVersions v4, which we answer through the KIP-511 fallback.
            #expect(key == .apiVersions)
            #expect(throws: KafkaWireError.self) { try KafkaRequest.decode(header: header, body: frame) }
            return
        }
        let request = try KafkaRequest.decode(header: header, body: frame)
        #expect(request.apiKey == key)
        var encoded = ByteBuffer()
        header.encode(into: &encoded)
        request.encode(into: &encoded, version: header.apiVersion)
        #expect(Array(buffer: encoded) == Array(bytes), "\(fixture) does not re-encode identically")
    }
}
