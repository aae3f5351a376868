@testable import BrokerClient
import KafkaWire
import NIOCore
import ShopTestSupport
import Testing

/// ApiVersions negotiation with brokers that do not serve the version we ask first (KIP-511, KAFKA-3652).
@Suite struct ClusterNegotiationTests {
    /// librdkafka's mock brokers do not serve ApiVersions v3 and answer error 35; the connection must
    /// still come up, with a usable version of every API the client needs.
    @Test func connectsToEveryBrokerOfAClusterNotOurs() async throws {
        let mock = try MockCluster(brokers: 3)
        defer { mock.stop() }
        for address in mock.bootstrap.split(separator: ",") {
            let parts = address.split(separator: ":")
            let port = try #require(Int(parts[1]))
            let connection = try await BrokerConnection.connect(host: String(parts[0]), port: port, clientId: "negotiation-test")
            for key in [ApiKey.metadata, .produce, .fetch, .listOffsets, .findCoordinator, .joinGroup, .offsetCommit, .initProducerId] {
                #expect(connection.version(of: key) != nil, "\(key) at \(address)")
            }
            let answer = try await connection.send(.metadata(MetadataRequest(topics: nil)))
            await connection.close()
            guard case .metadata(let metadata) = answer else {
                Issue.record("no metadata answer from \(address)")
                continue
            }
            #expect(metadata.brokers.count == 3)
        }
    }

    /// Error 35 with a v0 body, read as if it were the v3 answer asked for: the v0 table is used, and the
    /// retry goes to the broker's highest ApiVersions version.
    @Test func unsupportedVersionWithAV0BodyIsReadAsV0() throws {
        var body = ByteBufferAllocator().buffer(capacity: 64)
        ApiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion.rawValue, apiKeys: [
            .init(apiKey: ApiKey.metadata.rawValue, minVersion: 0, maxVersion: 2),
            .init(apiKey: ApiKey.apiVersions.rawValue, minVersion: 0, maxVersion: 2),
        ]).encode(into: &body, version: 0)
        let answer = try ApiVersionsAnswer.decode(body: body, version: 3)
        #expect(answer.errorCode == 35)
        #expect(answer.apiKeys.map(\.apiKey) == [ApiKey.metadata.rawValue, ApiKey.apiVersions.rawValue])
        #expect(ApiVersionsAnswer.retryVersion(after: answer, asked: 3) == 2)
    }

    /// Error 35 followed by bytes that are neither a v3 nor a v0 body: keep the error, ask again at v0.
    @Test func unsupportedVersionWithAnUnreadableBodyRetriesAtV0() throws {
        var body = ByteBufferAllocator().buffer(capacity: 16)
        body.writeInteger(Int16(35))
        body.writeBytes([0x00, 0x01, 0x02, 0x7f, 0x7f])
        let answer = try ApiVersionsAnswer.decode(body: body, version: 3)
        #expect(answer.errorCode == 35)
        #expect(answer.apiKeys.isEmpty)
        #expect(ApiVersionsAnswer.retryVersion(after: answer, asked: 3) == 0)
        #expect(ApiVersionsAnswer.retryVersion(after: answer, asked: 0) == nil)
        // INVALID_REQUEST (a software name the broker rejects) also goes down to v0, as librdkafka does.
        #expect(ApiVersionsAnswer.retryVersion(after: ApiVersionsResponse(errorCode: 42, apiKeys: []), asked: 3) == 0)
        // A success is read at the version asked; bytes after its fields are ignored, as Kafka's clients do.
        var good = ByteBufferAllocator().buffer(capacity: 16)
        ApiVersionsResponse(errorCode: 0, apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 12)]).encode(into: &good, version: 3)
        good.writeInteger(UInt32(9))
        let read = try ApiVersionsAnswer.decode(body: good, version: 3)
        #expect(read.errorCode == 0 && read.apiKeys.map(\.maxVersion) == [12])
    }
}
