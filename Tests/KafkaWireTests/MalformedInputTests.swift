import ShopTestSupport
import NIOCore
import Testing
@testable import KafkaWire

/// Malformed input of any kind must give a typed KafkaWireError: never a crash, never a
/// large allocation.
@Suite struct MalformedInputTests {
    /// A few real-sized messages, as (api key, version, body bytes, isRequest).
    static func samples() -> [(ApiKey, Int16, ByteBuffer, Bool)] {
        let records = ByteBuffer(bytes: Array(repeating: 0x5A, count: 70))
        return [
            (.produce, 8, wireEncoded(ProduceRequest(transactionalId: "t", acks: -1, timeoutMs: 1000, topics: [
                .init(name: "orders", partitions: [.init(index: 0, records: records), .init(index: 1, records: nil)])]), version: 8), true),
            (.fetch, 11, wireEncoded(FetchRequest(maxWaitMs: 500, minBytes: 1, topics: [
                .init(topic: "orders", partitions: [.init(partition: 0, fetchOffset: 5, partitionMaxBytes: 100)])],
                forgottenTopicsData: [.init(topic: "x", partitions: [1])], rackId: "r"), version: 11), true),
            (.fetch, 11, wireEncoded(FetchResponse(topics: [.init(topic: "orders", partitions: [
                .init(partitionIndex: 0, highWatermark: 9, abortedTransactions: [.init(producerId: 1, firstOffset: 2)], records: records)])]),
                version: 11), false),
            (.metadata, 8, wireEncoded(MetadataResponse(brokers: [.init(nodeId: 1, host: "h", port: 1, rack: "r")], clusterId: "c",
                controllerId: 1, topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1])])]),
                version: 8), false),
            (.joinGroup, 5, wireEncoded(JoinGroupRequest(groupId: "g", sessionTimeoutMs: 1, rebalanceTimeoutMs: 2, memberId: "m",
                groupInstanceId: "i", protocolType: "consumer", protocols: [.init(name: "range", metadata: wireBytes([1, 2, 3]))]), version: 5), true),
            (.offsetCommit, 7, wireEncoded(OffsetCommitRequest(groupId: "g", generationId: 1, memberId: "m", groupInstanceId: nil, topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: 0, committedMetadata: "x")])]),
                version: 7), true),
            (.apiVersions, 3, wireEncoded(ApiVersionsRequest(clientSoftwareName: "n", clientSoftwareVersion: "v",
                taggedFields: [KafkaTaggedField(tag: 1, data: wireBytes([1]))]), version: 3), true),
            (.apiVersions, 3, wireEncoded(ApiVersionsResponse.advertised(), version: 3), false),
            (.createTopics, 4, wireEncoded(CreateTopicsRequest(topics: [.init(name: "t", numPartitions: 1, replicationFactor: 1,
                assignments: [.init(partitionIndex: 0, brokerIds: [1])], configs: [.init(name: "a", value: nil)])], timeoutMs: 1), version: 4), true),
            (.describeGroups, 4, wireEncoded(DescribeGroupsResponse(groups: [.init(groupId: "g", groupState: "Stable", protocolType: "consumer",
                protocolData: "range", members: [.init(memberId: "m", groupInstanceId: "i", clientId: "c", clientHost: "h")])]), version: 4), false),
        ]
    }

    static func decode(_ key: ApiKey, _ version: Int16, _ body: ByteBuffer, request: Bool) throws(KafkaWireError) {
        if request {
            let header = RequestHeader(apiKey: key, apiVersion: version, correlationId: 1, clientId: nil)
            _ = try KafkaRequest.decode(header: header, body: body)
        } else {
            _ = try KafkaResponse.decode(apiKey: key, version: version, body: body)
        }
    }

    @Test func truncatedAtEveryByte() throws {
        for (key, version, body, isRequest) in Self.samples() {
            try Self.decode(key, version, body, request: isRequest)  // the whole body decodes
            for length in 0..<body.readableBytes {
                let prefix = body.getSlice(at: body.readerIndex, length: length) ?? ByteBuffer()
                let error = expectWireError { try Self.decode(key, version, prefix, request: isRequest) }
                #expect(error?.apiKey == key.rawValue, "\(key) v\(version) cut at \(length)")
            }
        }
    }

    @Test func truncatedRequestFrames() throws {
        var frame = ByteBuffer()
        let header = RequestHeader(apiKey: .syncGroup, apiVersion: 3, correlationId: 5, clientId: "client")
        KafkaFrame.encodeRequest(.syncGroup(SyncGroupRequest(groupId: "g", generationId: 1, memberId: "m", groupInstanceId: "i",
                                                             assignments: [.init(memberId: "m", assignment: wireBytes([1, 2]))])),
                                 header: header, into: &frame)
        let body = try #require(try KafkaFrame.readFrame(from: &frame))
        for length in 0..<body.readableBytes {
            let prefix = body.getSlice(at: body.readerIndex, length: length) ?? ByteBuffer()
            #expect(expectWireError { _ = try KafkaFrame.decodeRequest(prefix) } != nil)
        }
    }

    @Test func trailingBytesAreRejected() {
        var body = wireEncoded(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m"), version: 0)
        body.writeInteger(UInt8(0))
        let header = RequestHeader(apiKey: .heartbeat, apiVersion: 0, correlationId: 1, clientId: nil)
        #expect(expectWireError { _ = try KafkaRequest.decode(header: header, body: body) }?.kind == .trailingBytes(1))
    }

    @Test func stringLongerThanRemainingBytes() {
        // FindCoordinator v0: key declares 200 bytes, 3 remain.
        let body = wireBytes([0x00, 0xC8, 0x61, 0x62, 0x63])
        let header = RequestHeader(apiKey: .findCoordinator, apiVersion: 0, correlationId: 1, clientId: nil)
        let error = expectWireError { _ = try KafkaRequest.decode(header: header, body: body) }
        #expect(error?.kind == .truncated(needed: 200, available: 3))
        #expect(error?.field == "key")
        #expect(error?.apiKey == 10 && error?.apiVersion == 0)
    }

    @Test func hugeArrayCountFailsFast() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            // Produce v3: transactional_id null, acks, timeout, then topic count 2^31-1.
            let body = wireBytes([0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x03, 0xE8, 0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x74])
            let header = RequestHeader(apiKey: .produce, apiVersion: 3, correlationId: 1, clientId: nil)
            let error = expectWireError { _ = try KafkaRequest.decode(header: header, body: body) }
            #expect(error?.kind == .countTooLarge(count: Int(Int32.max), available: 3))
            #expect(error?.field == "topic_data")
            #expect(error?.offset == 8)

            // Same inside a nested array (Metadata response partitions' replica list).
            var nested = ByteBuffer()
            nested.writeKafkaInt32(0)       // throttle
            nested.writeKafkaInt32(0)       // brokers
            nested.writeKafkaNullableString(nil)
            nested.writeKafkaInt32(1)       // controller
            nested.writeKafkaInt32(1)       // topics
            nested.writeKafkaInt16(0)
            nested.writeKafkaString("t")
            nested.writeKafkaBool(false)
            nested.writeKafkaInt32(1)       // partitions
            nested.writeKafkaInt16(0)
            nested.writeKafkaInt32(0)
            nested.writeKafkaInt32(1)
            nested.writeKafkaInt32(0)       // leader epoch (v7+)
            nested.writeKafkaInt32(Int32.max)  // replica_nodes count
            let nestedError = expectWireError { _ = try KafkaResponse.decode(apiKey: .metadata, version: 8, body: nested) }
            #expect(nestedError?.kind == .countTooLarge(count: Int(Int32.max), available: 0))
            #expect(nestedError?.field == "replica_nodes")
        }
        // As in PrimitivesTests: the error kinds prove the check; the bound (a minute) only catches gigabyte
        // allocations.
        #expect(elapsed < .seconds(60))
    }

    @Test func unknownApiKey() {
        var frame = wireBytes([0x03, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF])  // key 999
        let header = try? RequestHeader.decode(from: &frame)
        #expect(header?.apiKey == nil)
        #expect(header?.rawApiKey == 999)
        #expect(expectWireError { _ = try KafkaFrame.decodeRequest(wireBytes([0x03, 0xE7, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF])) }?.kind == .unknownApiKey(999))
        // Keys Kafka has but this module does not (e.g. SaslHandshake 17) are unknown too.
        #expect(expectWireError { _ = try KafkaFrame.decodeRequest(wireBytes([0x00, 0x11, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF])) }?.kind == .unknownApiKey(17))
    }

    @Test func unsupportedVersions() {
        let cases: [(ApiKey, Int16)] = [(.produce, -1), (.produce, 9), (.fetch, -1), (.fetch, 12), (.metadata, 9),
                                        (.apiVersions, 4), (.listOffsets, -1), (.createTopics, 5), (.offsetCommit, 8), (.initProducerId, -1)]
        for (key, version) in cases {
            let header = RequestHeader(apiKey: key, apiVersion: version, correlationId: 1, clientId: nil)
            let error = expectWireError { _ = try KafkaRequest.decode(header: header, body: ByteBuffer()) }
            #expect(error?.kind == .unsupportedVersion(apiKey: key.rawValue, version: version), "\(key) v\(version)")
            #expect(expectWireError { _ = try KafkaResponse.decode(apiKey: key, version: version, body: ByteBuffer()) } != nil)
        }
    }

    @Test func negativeLengthsAndNulls() {
        // JoinGroup v0 protocol metadata: bytes length -1 (null) where not nullable, then -7.
        for (raw, kind) in [(Int32(-1), KafkaWireError.Kind.unexpectedNull), (-7, .negativeLength(-7))] {
            var body = ByteBuffer()
            body.writeKafkaString("g")
            body.writeKafkaInt32(1)
            body.writeKafkaString("")
            body.writeKafkaString("consumer")
            body.writeKafkaInt32(1)
            body.writeKafkaString("range")
            body.writeKafkaInt32(raw)
            let header = RequestHeader(apiKey: .joinGroup, apiVersion: 0, correlationId: 1, clientId: nil)
            let error = expectWireError { _ = try KafkaRequest.decode(header: header, body: body) }
            #expect(error?.kind == kind)
            #expect(error?.field == "metadata")
        }
    }

    /// Random and mutated bodies for every API and version: decode must return or throw, never trap.
    @Test func fuzzedBodiesNeverCrash() {
        var rng = SplitMix64(seed: 0x5EED)
        let seeds = Self.samples().map { $0.2 }
        for key in ApiKey.allCases {
            for version in key.supportedVersions {
                let header = RequestHeader(apiKey: key, apiVersion: version, correlationId: 1, clientId: nil)
                for i in 0..<60 {
                    var body: ByteBuffer
                    if i % 2 == 0 {
                        let count = Int(rng.next() % 48)
                        body = ByteBuffer(bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                    } else {
                        var bytes = Array(seeds[Int(rng.next() % UInt64(seeds.count))].readableBytesView)
                        for _ in 0..<3 where !bytes.isEmpty {
                            bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                        }
                        body = ByteBuffer(bytes: bytes)
                    }
                    _ = try? KafkaRequest.decode(header: header, body: body)
                    _ = try? KafkaResponse.decode(apiKey: key, version: version, body: body)
                }
            }
        }
    }
}
