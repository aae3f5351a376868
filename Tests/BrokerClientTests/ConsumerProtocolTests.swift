import ShopTestSupport
import Foundation
import KafkaWire
import NIOCore
import Testing
@testable import BrokerClient

@Suite struct ConsumerProtocolTests {
    static let owned = [
        ConsumerProtocolTopicPartitions(topic: "orders", partitions: [0, 2]),
        ConsumerProtocolTopicPartitions(topic: "payments", partitions: []),
    ]

    /// A subscription with every field set; fields beyond `version` then hold their defaults.
    static func fullSubscription(version: Int16) -> ConsumerProtocolSubscription {
        ConsumerProtocolSubscription(
            version: version, topics: ["orders", "payments", "ünïcode"], userData: ByteBuffer(bytes: [1, 2, 3]),
            ownedPartitions: version >= 1 ? owned : [], generationId: version >= 2 ? 42 : -1,
            rackId: version >= 3 ? "rack-a" : nil)
    }

    // MARK: - Round trips and exact layout

    @Test(arguments: Int16(0)...3)
    func subscriptionRoundTrips(version: Int16) throws {
        for subscription in [
            Self.fullSubscription(version: version),
            ConsumerProtocolSubscription(version: version, topics: [], userData: nil),
            ConsumerProtocolSubscription(version: version, topics: ["t"], userData: ByteBuffer()),
        ] {
            var bytes = subscription.encoded()
            let decoded = try ConsumerProtocolSubscription.decode(from: &bytes)
            #expect(decoded == subscription)
            #expect(bytes.readableBytes == 0)
        }
    }

    @Test(arguments: Int16(0)...3)
    func assignmentRoundTrips(version: Int16) throws {
        for assignment in [
            ConsumerProtocolAssignment(version: version, assignedPartitions: Self.owned, userData: ByteBuffer(bytes: [9])),
            ConsumerProtocolAssignment(version: version, assignedPartitions: [], userData: nil),
        ] {
            var bytes = assignment.encoded()
            #expect(try ConsumerProtocolAssignment.decode(from: &bytes) == assignment)
            #expect(bytes.readableBytes == 0)
        }
    }

    @Test func subscriptionLayoutIsExact() {
        let s = ConsumerProtocolSubscription(
            version: 3, topics: ["t1"], userData: ByteBuffer(bytes: [0xAB]),
            ownedPartitions: [ConsumerProtocolTopicPartitions(topic: "t1", partitions: [5])], generationId: 7, rackId: nil)
        let expected = "0003" + "00000001" + "0002" + "7431" + "00000001" + "ab"
            + "00000001" + "0002" + "7431" + "00000001" + "00000005" + "00000007" + "ffff"
        #expect(s.encoded().hexString == expected)
        // Version 0 stops after user data; a null user data is int32 -1.
        var v0 = s
        v0.version = 0
        v0.userData = nil
        #expect(v0.encoded().hexString == "0000" + "00000001" + "0002" + "7431" + "ffffffff")
    }

    @Test func assignmentLayoutIsExact() {
        let a = ConsumerProtocolAssignment(version: 0, assignedPartitions: [ConsumerProtocolTopicPartitions(topic: "t1", partitions: [0, 1])],
                                           userData: ByteBuffer())
        #expect(a.encoded().hexString == "0000" + "00000001" + "0002" + "7431" + "00000002" + "00000000" + "00000001" + "00000000")
    }

    @Test func encodersClampVersionsTheyCannotWrite() throws {
        var future = Self.fullSubscription(version: 3)
        future.version = 9
        #expect(future.encoded().hexString == Self.fullSubscription(version: 3).encoded().hexString)
        var negative = ConsumerProtocolAssignment(version: -2, assignedPartitions: [])
        #expect(negative.encoded().getInteger(at: 0, as: Int16.self) == 0)
        negative.version = 0
        #expect(try ConsumerProtocolAssignment.decode(negative.encoded()) == negative)
    }

    @Test func assignmentFromAssignorOutputIsSortedAndSkipsEmptyTopics() {
        let a = ConsumerProtocolAssignment(version: 1, partitions: ["b": [3, 1], "a": [0], "empty": []])
        #expect(a.assignedPartitions == [
            ConsumerProtocolTopicPartitions(topic: "a", partitions: [0]),
            ConsumerProtocolTopicPartitions(topic: "b", partitions: [1, 3]),
        ])
        #expect(a.partitionsByTopic == ["a": [0], "b": [1, 3]])
    }

    // MARK: - Versions newer than known, and malformed input

    @Test func newerVersionsAreReadAsTheirVersion3Prefix() throws {
        let known = Self.fullSubscription(version: 3)
        var bytes = known.encoded()
        bytes.setInteger(Int16(7), at: bytes.readerIndex)
        bytes.writeBytes([0xDE, 0xAD, 0xBE, 0xEF]) // a field from the future
        let decoded = try ConsumerProtocolSubscription.decode(from: &bytes)
        #expect(decoded == known)
        #expect(bytes.readableBytes == 4, "unknown trailing fields are left unread")

        var assignment = ConsumerProtocolAssignment(version: 0, assignedPartitions: Self.owned, userData: nil).encoded()
        assignment.setInteger(Int16.max, at: assignment.readerIndex)
        assignment.writeBytes([1, 2, 3])
        let decodedAssignment = try ConsumerProtocolAssignment.decode(assignment)
        #expect(decodedAssignment.version == 3)
        #expect(decodedAssignment.assignedPartitions == Self.owned)
    }

    @Test func negativeVersionsAreRejected() {
        var bytes = ByteBuffer(bytes: [0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ConsumerProtocolError.unsupportedVersion(-1)) { try ConsumerProtocolSubscription.decode(from: &bytes) }
        #expect(bytes.readerIndex == 0, "a failed decode leaves the reader index alone")
        #expect(throws: ConsumerProtocolError.unsupportedVersion(-1)) { try ConsumerProtocolAssignment.decode(bytes) }
    }

    @Test(arguments: Int16(0)...3)
    func everyTruncationThrowsATypedError(version: Int16) {
        let full = Array(buffer: Self.fullSubscription(version: version).encoded())
        for length in 0..<full.count {
            var prefix = ByteBuffer(bytes: full[0..<length])
            #expect(throws: ConsumerProtocolError.self) { try ConsumerProtocolSubscription.decode(from: &prefix) }
        }
        let assignment = Array(buffer: ConsumerProtocolAssignment(version: version, assignedPartitions: Self.owned).encoded())
        for length in 1..<assignment.count {
            #expect(throws: ConsumerProtocolError.self) { try ConsumerProtocolAssignment.decode(ByteBuffer(bytes: assignment[0..<length])) }
        }
    }

    @Test func malformedFieldsAreReportedWithTheirName() {
        func field(_ hex: String, subscription: Bool = true) -> String? {
            let bytes = ByteBuffer(bytes: Hex.decode(hex) ?? [])
            do {
                if subscription { _ = try ConsumerProtocolSubscription.decode(bytes) } else { _ = try ConsumerProtocolAssignment.decode(bytes) }
                return nil
            } catch {
                guard case .malformed(let wire) = error else { return "\(error)" }
                return wire.field
            }
        }
        #expect(field("0000" + "ffffffff" + "ffffffff") == "topics")                     // null topics array
        #expect(field("0000" + "7fffffff") == "topics")                                  // absurd count
        #expect(field("0000" + "00000001" + "ffff" + "ffffffff") == "topics")            // null topic name
        #expect(field("0000" + "00000001" + "0001" + "ff" + "ffffffff") == "topics")     // invalid UTF-8
        #expect(field("0000" + "00000000" + "fffffffe") == "user_data")                  // length -2
        #expect(field("0001" + "00000000" + "ffffffff" + "ffffffff") == "owned_partitions")
        #expect(field("0000" + "00000001" + "0001" + "74" + "ffffffff", subscription: false) == "partitions")
        #expect(field("0000" + "00000000" + "00000005" + "00", subscription: false) == "user_data")
    }

    @Test func emptyAssignmentBytesMeanNothingAssigned() throws {
        // The coordinator sends empty bytes to members the leader left out.
        #expect(try ConsumerProtocolAssignment.decode(ByteBuffer()) == ConsumerProtocolAssignment(version: 0, assignedPartitions: []))
        #expect(throws: ConsumerProtocolError.self) { try ConsumerProtocolSubscription.decode(ByteBuffer()) }
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 0xF022)
        let seeds = [Self.fullSubscription(version: 3).encoded(), ConsumerProtocolAssignment(assignedPartitions: Self.owned).encoded()]
        for round in 0..<4000 {
            var bytes = Array(buffer: seeds[round % 2])
            for _ in 0...Int.random(in: 0...3, using: &random) {
                guard !bytes.isEmpty else { break }
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { bytes.removeLast(Int.random(in: 0...bytes.count, using: &random)) }
            _ = try? ConsumerProtocolSubscription.decode(ByteBuffer(bytes: bytes))
            _ = try? ConsumerProtocolAssignment.decode(ByteBuffer(bytes: bytes))
        }
    }

    // MARK: - Real client bytes

    static let fixtures = PythonOracle.repositoryRoot.appendingPathComponent("Tests/KafkaWireTests/Fixtures")

    /// Decodes a captured request frame (header + body, no size prefix) with KafkaWire.
    static func request(_ path: String) throws -> KafkaRequest {
        var frame = ByteBuffer(bytes: try Data(contentsOf: fixtures.appendingPathComponent(path)))
        let header = try RequestHeader.decode(from: &frame)
        return try KafkaRequest.decode(header: header, body: frame)
    }

    @Test(arguments: [("kcat", Int16(1)), ("confluent-kafka", Int16(3)), ("kafka-python", Int16(0))])
    func decodesRealJoinGroupMetadata(client: String, expectedVersion: Int16) throws {
        guard case .joinGroup(let join) = try Self.request("\(client)/joingroup-v5.bin") else {
            Issue.record("\(client)/joingroup-v5.bin is not a JoinGroup")
            return
        }
        #expect(join.protocolType == ConsumerProtocolSubscription.protocolType)
        #expect(join.protocols.map(\.name) == ["range", "roundrobin"])
        for joinProtocol in join.protocols {
            let s = try ConsumerProtocolSubscription.decode(joinProtocol.metadata)
            #expect(s.version == expectedVersion)
            #expect(s.topics == ["fixtures-ffe4cb"])
            #expect(s.userData?.readableBytes == 0, "all three send empty (not null) user data")
            #expect(s.ownedPartitions.isEmpty)
            #expect(s.generationId == -1)
            // librdkafka 2.16 sends an empty rack id, not null.
            #expect(s.rackId == (expectedVersion >= 3 ? "" : nil))
            // Re-encoding at the same version gives back the client's bytes exactly.
            #expect(s.encoded().hexString == joinProtocol.metadata.hexString)
        }
    }

    @Test(arguments: [("kcat", ["fixtures-ffe4cb": [Int32(0)]]), ("confluent-kafka", ["fixtures-ffe4cb": [0]]), ("kafka-python", [:])])
    func decodesRealSyncGroupAssignments(client: String, expected: [String: [Int32]]) throws {
        guard case .syncGroup(let sync) = try Self.request("\(client)/syncgroup-v3.bin") else {
            Issue.record("\(client)/syncgroup-v3.bin is not a SyncGroup")
            return
        }
        // The one-member fixture groups: the leader assigns to itself.
        #expect(sync.assignments.map(\.memberId) == [sync.memberId])
        for entry in sync.assignments {
            let a = try ConsumerProtocolAssignment.decode(entry.assignment)
            #expect(a.version == 0)
            #expect(a.partitionsByTopic == expected)
            #expect(a.userData?.readableBytes == 0)
            #expect(a.encoded().hexString == entry.assignment.hexString)
        }
    }

    // MARK: - kafka-python's codec

    struct PythonSample: Codable {
        var version: Int16
        var subscription: String
        var assignment: String
    }

    /// kafka-python encodes a subscription and an assignment at each version; Swift must decode
    /// its bytes to the same values and encode the same values to the same bytes.
    @Test func matchesKafkaPythonEncoding() throws {
        let script = """
            from kafka.protocol.consumer.metadata import ConsumerProtocolSubscription as S, ConsumerProtocolAssignment as A
            out = []
            for v in range(4):
                s = S(version=v, topics=["orders", "payments", "ünïcode"], user_data=b"\\x01\\x02\\x03",
                      owned_partitions=[("orders", [0, 2]), ("payments", [])] if v >= 1 else None,
                      generation_id=42 if v >= 2 else -1, rack_id="rack-a" if v >= 3 else None)
                a = A(version=v, assigned_partitions=[("orders", [0, 2]), ("payments", [])], user_data=b"\\x09")
                out.append({"version": v, "subscription": bytes(s.encode()).hex(), "assignment": bytes(a.encode()).hex()})
            print(json.dumps(out))
            """
        let samples = try PythonOracle.run(script, input: [String](), as: [PythonSample].self)
        #expect(samples.map(\.version) == [0, 1, 2, 3])
        for sample in samples {
            let expectedSubscription = Self.fullSubscription(version: sample.version)
            let expectedAssignment = ConsumerProtocolAssignment(version: sample.version, assignedPartitions: Self.owned,
                                                                userData: ByteBuffer(bytes: [9]))
            let subscriptionBytes = ByteBuffer(bytes: try #require(Hex.decode(sample.subscription)))
            let assignmentBytes = ByteBuffer(bytes: try #require(Hex.decode(sample.assignment)))
            #expect(try ConsumerProtocolSubscription.decode(subscriptionBytes) == expectedSubscription)
            #expect(try ConsumerProtocolAssignment.decode(assignmentBytes) == expectedAssignment)
            #expect(expectedSubscription.encoded().hexString == sample.subscription, "v\(sample.version) subscription bytes")
            #expect(expectedAssignment.encoded().hexString == sample.assignment, "v\(sample.version) assignment bytes")
        }
    }

    struct PythonDecoded: Codable {
        var version: Int16
        var topics: [String]
        var userData: String?
        var owned: [[String: [Int32]]]?
        var generation: Int32?
        var rack: String?
    }

    /// And kafka-python decodes what Swift encodes.
    @Test func kafkaPythonDecodesSwiftEncoding() throws {
        let encoded = (Int16(0)...3).map { Self.fullSubscription(version: $0).encoded().hexString }
        let script = """
            from kafka.protocol.consumer.metadata import ConsumerProtocolSubscription as S
            out = []
            for h in INPUT:
                s = S.decode(bytes.fromhex(h))
                v = s.version
                out.append({"version": v, "topics": list(s.topics), "userData": None if s.user_data is None else bytes(s.user_data).hex(),
                            "owned": [{tp.topic: list(tp.partitions)} for tp in s.owned_partitions] if v >= 1 else None,
                            "generation": s.generation_id if v >= 2 else None, "rack": s.rack_id if v >= 3 else None})
            print(json.dumps(out))
            """
        let decoded = try PythonOracle.run(script, input: encoded, as: [PythonDecoded].self)
        try #require(decoded.count == 4)
        for (index, d) in decoded.enumerated() {
            let version = Int16(index)
            #expect(d.version == version)
            #expect(d.topics == ["orders", "payments", "ünïcode"])
            #expect(d.userData == "010203")
            #expect(d.owned == (version >= 1 ? [["orders": [0, 2]], ["payments": []]] : nil))
            #expect(d.generation == (version >= 2 ? 42 : nil))
            #expect(d.rack == (version >= 3 ? "rack-a" : nil))
        }
    }
}
