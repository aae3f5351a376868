import ShopTestSupport
import NIOCore
import Testing
@testable import BrokerClient

@Suite struct PartitionerTests {
    /// Kafka's UtilsTest.testMurmur2 vectors (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    static let javaVectors: [(String, Int32)] = [
        ("21", -973_932_308),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ]

    @Test func murmur2MatchesJavaUtilsTestVectors() {
        for (input, expected) in Self.javaVectors {
            #expect(Murmur2.hash(Array(input.utf8)) == expected, "murmur2(\(input))")
            #expect(Murmur2.hash(ByteBuffer(string: input)) == expected, "murmur2(ByteBuffer \(input))")
            // A non-contiguous sequence takes the copying path and must agree.
            #expect(Murmur2.hash(input.utf8.lazy.map { $0 }) == expected, "murmur2(lazy \(input))")
        }
    }

    @Test func hashesOnlyTheReadableBytesOfABuffer() {
        var buffer = ByteBuffer(string: "xxfoobar")
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(Murmur2.hash(buffer) == -790_332_482)
    }

    @Test func toPositiveClearsOnlyTheSignBit() {
        #expect(Murmur2.toPositive(Int32.min) == 0)
        #expect(Murmur2.toPositive(-1) == Int32.max)
        #expect(Murmur2.toPositive(-973_932_308) == -973_932_308 & 0x7fff_ffff)
        #expect(Murmur2.toPositive(42) == 42)
    }

    @Test func keyedPartitionIsPositiveHashModuloCount() {
        // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16.
        #expect(Murmur2Partitioner.partition(forKey: Array("foobar".utf8), partitionCount: 50) == 16)
        #expect(Murmur2Partitioner.partition(forKey: ByteBuffer(string: "foobar"), partitionCount: 50) == 16)
        for count in Int32(1)...64 {
            let partition = Murmur2Partitioner.partition(forKey: Array("order-17".utf8), partitionCount: count)
            #expect(partition.map { (0..<count).contains($0) } == true)
        }
    }

    @Test func noPartitionsGivesNil() {
        var partitioner = Murmur2Partitioner(seed: 1)
        #expect(Murmur2Partitioner.partition(forKey: [1, 2, 3], partitionCount: 0) == nil)
        #expect(Murmur2Partitioner.partition(forKey: [1, 2, 3], partitionCount: -4) == nil)
        #expect(partitioner.partition(topic: "t", key: nil as [UInt8]?, partitionCount: 0) == nil)
    }

    @Test func keyedRecordsIgnoreStickyState() {
        var partitioner = Murmur2Partitioner(seed: 99)
        let expected = Murmur2Partitioner.partition(forKey: Array("foobar".utf8), partitionCount: 50)
        for _ in 0..<3 {
            #expect(partitioner.partition(topic: "t", key: Array("foobar".utf8), partitionCount: 50) == expected)
            #expect(partitioner.partition(topic: "t", key: ByteBuffer(string: "foobar"), partitionCount: 50) == expected)
            partitioner.batchCompleted(topic: "t")
        }
    }

    @Test func nullKeysStickUntilABatchCompletesThenRotate() {
        var partitioner = Murmur2Partitioner(seed: 7)
        let first = partitioner.partition(topic: "orders", key: nil as ByteBuffer?, partitionCount: 6)
        #expect(first == Int32(7 % 6))
        for _ in 0..<10 {
            #expect(partitioner.partition(topic: "orders", key: nil as ByteBuffer?, partitionCount: 6) == first)
        }
        var seen: [Int32] = []
        for _ in 0..<6 {
            partitioner.batchCompleted(topic: "orders")
            seen.append(partitioner.partition(topic: "orders", key: nil as [UInt8]?, partitionCount: 6) ?? -1)
        }
        // One full round-robin cycle visits every partition once.
        #expect(Set(seen) == Set(0..<6))
        // Another topic has its own sticky partition, and a shrinking topic stays in range.
        let other = partitioner.partition(topic: "payments", key: nil as [UInt8]?, partitionCount: 6)
        #expect(other.map { (0..<6).contains($0) } == true)
        #expect(partitioner.partition(topic: "orders", key: nil as [UInt8]?, partitionCount: 1) == 0)
    }

    struct OracleCase: Codable {
        var key: String
        var partitions: Int32
    }

    struct OracleAnswer: Codable {
        var hash: UInt32
        var partition: Int32
    }

    /// Hundreds of random keys (every tail length, lengths 0-80) and partition counts, against
    /// kafka-python's own murmur2 and its DefaultPartitioner.
    @Test func agreesWithKafkaPython() throws {
        var random = SplitMix64(seed: 0x5EED_0001)
        var cases: [OracleCase] = []
        for index in 0..<600 {
            let length = index < 81 ? index : Int.random(in: 0...80, using: &random)
            let key = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            cases.append(OracleCase(key: Hex.encode(key), partitions: Int32.random(in: 1...1000, using: &random)))
        }
        let script = """
            from kafka.partitioner.default import murmur2, DefaultPartitioner

            class Cluster:
                def __init__(self, n): self.n = n
                def topics(self): return {"t"}
                def partitions_for_topic(self, topic): return set(range(self.n))
                def available_partitions_for_topic(self, topic): return set(range(self.n))

            partitioner = DefaultPartitioner()
            out = []
            for case in INPUT:
                key = bytes.fromhex(case["key"])
                out.append({"hash": murmur2(key) & 0xffffffff,
                            "partition": partitioner.partition("t", key, key, None, None, Cluster(case["partitions"]))})
            print(json.dumps(out))
            """
        let answers = try PythonOracle.run(script, input: cases, as: [OracleAnswer].self)
        try #require(answers.count == cases.count)
        for (testCase, answer) in zip(cases, answers) {
            let key = try #require(Hex.decode(testCase.key))
            #expect(Murmur2.hash(key) == Int32(bitPattern: answer.hash), "murmur2(\(testCase.key))")
            #expect(Murmur2Partitioner.partition(forKey: key, partitionCount: testCase.partitions) == answer.partition,
                    "key \(testCase.key) over \(testCase.partitions) partitions")
        }
    }
}
