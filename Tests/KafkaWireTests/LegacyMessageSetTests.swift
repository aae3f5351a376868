import Foundation
import NIOCore
import ShopTestSupport
import Testing
@testable import KafkaWire

/// Message formats v0 and v1 (magic 0 and 1): sets written by a real client's legacy record builder
/// (kafka-python 3.0.12, by scripts/capture-message-sets.py), their conversion to RecordBatch v2 for the
/// log, and the conversion down for Fetch v0–v3.
@Suite struct LegacyMessageSetTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("message-sets")

    static func fixture(magic: Int, codec: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent("kafka-python-magic\(magic)-\(codec).set")))
    }

    /// What capture-message-sets.py appended: keys key-0, null, key-2; values "value-i " + 40 x.
    static func expectedValue(_ i: Int) -> String { "value-\(i) " + String(repeating: "x", count: 40) }
    static func expectedKey(_ i: Int) -> String? { i == 1 ? nil : "key-\(i)" }

    static func string(_ buffer: ByteBuffer?) -> String? { buffer.map { String(buffer: $0) } }

    @Test(arguments: [0, 1], ["none", "gzip", "lz4"])
    func decodesAClientsSets(magic: Int, codec: String) throws {
        let messages = try LegacyMessageSet.decode(try Self.fixture(magic: magic, codec: codec))
        #expect(messages.count == 3)
        for (i, message) in messages.enumerated() {
            // Producers' offsets mean nothing to the broker; inner magic-1 offsets are relative to the
            // wrapper's (KIP-31), kafka-python writes the wrapper at 0: only the spacing is fixed.
            #expect(message.offset - messages[0].offset == Int64(i))
            if magic == 0 || codec == "none" { #expect(message.offset == Int64(i)) }
            #expect(message.magic == Int8(magic))
            #expect(message.timestamp == (magic == 0 ? -1 : 1_700_000_000_000 + Int64(i)))
            #expect(Self.string(message.key) == Self.expectedKey(i))
            #expect(Self.string(message.value) == Self.expectedValue(i))
        }
    }

    /// The message sets inside real old producers' requests: sarama 1.22.1's Produce v0 (magic 0) and
    /// kafka-go 0.2.1's Produce v2 (magic 1), captured by scripts/capture-fixtures.py.
    @Test(arguments: [("sarama/produce-v0.bin", Int8(0), "s-"), ("kafka-go/produce-v2.bin", 1, "g-")])
    func decodesTheSetsOfCapturedProduceRequests(fixture: String, magic: Int8, prefix: String) throws {
        let bytes = try Data(contentsOf: Self.directory.deletingLastPathComponent().appendingPathComponent(fixture))
        var frame = ByteBuffer(bytes: bytes)
        let header = try RequestHeader.decode(from: &frame)
        guard case .produce(let request) = try KafkaRequest.decode(header: header, body: frame) else {
            Issue.record("not a produce request")
            return
        }
        let records = try #require(request.topics.first?.partitions.first?.records)
        let messages = try LegacyMessageSet.decode(records)
        #expect(!messages.isEmpty)
        #expect(messages.allSatisfy { $0.magic == magic && (Self.string($0.value) ?? "").hasPrefix(prefix) })
        var reencoded = ByteBuffer()
        for message in messages { LegacyMessageSet.encode(message, into: &reencoded) }
        #expect(Array(reencoded.readableBytesView) == Array(records.readableBytesView), "re-encodes byte for byte")
        let (batch, _) = try LegacyMessageSet.recordBatch(fromMessageSet: records)
        var batchBytes = batch
        #expect(try RecordBatch.Decoder().decode(from: &batchBytes).records.count == messages.count)
    }

    /// magic 0 LZ4 from kafka-python carries the pre-KIP-57 header checksum Kafka tolerated.
    @Test func magic0LZ4HasTheBrokenHeaderChecksumAndIsAccepted() throws {
        let set = try Self.fixture(magic: 0, codec: "lz4")
        // offset 8, size 4, crc 4, magic 1, attributes 1, null key 4, value length 4: the frame at 26.
        let frame = Array(set.readableBytesView.dropFirst(26))
        #expect(Array(frame.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])
        var repaired = frame
        LZ4FrameHeader.repairHeaderChecksum(&repaired)
        #expect(repaired[6] != frame[6], "the fixture's HC byte is the broken one")
        #expect(try LegacyMessageSet.decode(set).count == 3)
    }

    @Test(arguments: [0, 1], ["none", "gzip", "lz4"])
    func convertsUpToOneRecordBatch(magic: Int, codec: String) throws {
        let (bytes, setMagic) = try LegacyMessageSet.recordBatch(fromMessageSet: try Self.fixture(magic: magic, codec: codec))
        #expect(setMagic == Int8(magic))
        var buffer = bytes
        let batch = try RecordBatch.Decoder().decode(from: &buffer)
        #expect(buffer.readableBytes == 0)
        #expect(batch.compression == (codec == "lz4" ? .lz4 : .none))
        #expect(batch.producerId == -1)
        #expect(batch.records.count == 3)
        for (i, record) in batch.records.enumerated() {
            #expect(batch.offset(of: record) == Int64(i))
            #expect(batch.timestamp(of: record) == (magic == 0 ? -1 : 1_700_000_000_000 + Int64(i)))
            #expect(Self.string(record.key) == Self.expectedKey(i))
            #expect(Self.string(record.value) == Self.expectedValue(i))
        }
        try RecordBatch.Header(parsing: bytes).checkProducedBatchRules()
    }

    /// Our encoder writes an uncompressed set byte for byte as the client's builder does.
    @Test(arguments: [0, 1])
    func encodesTheClientsBytesExactly(magic: Int) throws {
        let captured = try Self.fixture(magic: magic, codec: "none")
        var encoded = ByteBuffer()
        for message in try LegacyMessageSet.decode(captured) { LegacyMessageSet.encode(message, into: &encoded) }
        #expect(Array(encoded.readableBytesView) == Array(captured.readableBytesView))
    }

    /// Fetch v0–v3: batches v2 down to a set of the fetch's magic, from the fetch offset on.
    @Test(arguments: [Int8(0), 1])
    func convertsDownFromTheFetchOffset(magic: Int8) throws {
        var builder = RecordBatchBuilder()
        for i in 0..<4 {
            try builder.append(key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
                               headers: [RecordHeader(key: "h", valueBytes: [1])], timestamp: 1_000 + Int64(i))
        }
        var batches = try builder.finish(compression: .lz4)
        batches.setInteger(Int64(10), at: 0)  // the broker's base offset
        let crc = batches.withUnsafeReadableBytes { RecordBatch.Header.computeCRC($0) }
        batches.setInteger(crc, at: 17)
        let set = try LegacyMessageSet.messageSet(fromBatches: batches, magic: magic, fetchOffset: 12, maxBytes: 1 << 20)
        let messages = try LegacyMessageSet.decode(set)
        #expect(messages.map(\.offset) == [12, 13])
        #expect(messages.map { Self.string($0.value) } == ["v2", "v3"])
        #expect(messages.allSatisfy { $0.magic == magic })
        #expect(messages.map(\.timestamp) == (magic == 0 ? [-1, -1] : [1_002, 1_003]))
        // maxBytes: the first message always, then only whole messages within the limit.
        let one = try LegacyMessageSet.messageSet(fromBatches: batches, magic: magic, fetchOffset: 10, maxBytes: 1)
        #expect(try LegacyMessageSet.decode(one).map(\.offset) == [10])
    }

    @Test(arguments: [CompressionCodec.gzip, .lz4], [Int8(0), 1])
    func wrapsAndUnwrapsCompressedSets(codec: CompressionCodec, magic: Int8) throws {
        var inner = ByteBuffer()
        for i in 0..<3 {
            LegacyMessageSet.encode(.init(offset: Int64(i), magic: magic, timestamp: magic == 0 ? -1 : 50 + Int64(i),
                                          key: nil, value: ByteBuffer(string: "m\(i)")), into: &inner)
        }
        let wrapped = try LegacyMessageSet.wrap(inner, codec: codec, magic: magic, offset: magic == 1 ? 102 : 0, timestamp: 52)
        let messages = try LegacyMessageSet.decode(wrapped)
        #expect(messages.map { Self.string($0.value) } == ["m0", "m1", "m2"])
        #expect(messages.map(\.offset) == (magic == 1 ? [100, 101, 102] : [0, 1, 2]))
    }

    @Test func rejectsDamagedSets() throws {
        let captured = try Self.fixture(magic: 1, codec: "none")
        // A flipped value byte: the CRC-32 no longer matches.
        var flipped = Array(captured.readableBytesView)
        flipped[40] ^= 0x01
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.decode(ByteBuffer(bytes: flipped)) }
        do {
            _ = try LegacyMessageSet.decode(ByteBuffer(bytes: flipped))
        } catch {
            guard case .messageCRCMismatch = error.kind else { Issue.record("\(error)"); return }
        }
        // A message_size below the smallest message.
        var tiny = ByteBuffer()
        tiny.writeKafkaInt64(0)
        tiny.writeKafkaInt32(3)
        tiny.writeBytes([0, 0, 0])
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.decode(tiny) }
        // Magic 2 inside a message set.
        var magic2 = Array(captured.readableBytesView)
        magic2[16] = 2
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.decode(ByteBuffer(bytes: magic2)) }
        // A partial trailing message ends the set (a fetch cut at its limit); nothing whole is an error on produce.
        let cut = ByteBuffer(bytes: Array(captured.readableBytesView.dropLast(5)))
        #expect(try LegacyMessageSet.decode(cut).count == 2)
        #expect(throws: RecordBatchError.self) {
            try LegacyMessageSet.recordBatch(fromMessageSet: ByteBuffer(bytes: Array(captured.readableBytesView.prefix(30))))
        }
        // A compressed wrapper inside a compressed wrapper.
        let gzipSet = try Self.fixture(magic: 1, codec: "gzip")
        let nested = try LegacyMessageSet.wrap(gzipSet, codec: .gzip, magic: 1, offset: 0)
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.decode(nested) }
        // A gzip stream cut short.
        var truncatedGzip = ByteBuffer()
        LegacyMessageSet.encode(.init(offset: 0, magic: 1, timestamp: 0, key: nil,
                                      value: ByteBuffer(bytes: Array(gzipSet.readableBytesView.dropFirst(34).prefix(20)))),
                                into: &truncatedGzip)
        truncatedGzip.setInteger(Int8(1), at: 17)
        let crc = truncatedGzip.withUnsafeReadableBytes { Gzip.crc32(UnsafeRawBufferPointer(rebasing: $0[16...])) }
        truncatedGzip.setInteger(crc, at: 12)
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.decode(truncatedGzip) }
    }

    /// Random mutations of every fixture: decoding returns or throws, never traps.
    @Test func mutatedSetsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x0DD5E7)
        func next() -> UInt64 { rng.next() }
        for magic in 0...1 {
            for codec in ["none", "gzip", "lz4"] {
                let bytes = Array(try Self.fixture(magic: magic, codec: codec).readableBytesView)
                for _ in 0..<200 {
                    var mutated = bytes
                    for _ in 0..<3 { mutated[Int(next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: next()) }
                    _ = try? LegacyMessageSet.decode(ByteBuffer(bytes: mutated))
                    _ = try? LegacyMessageSet.recordBatch(fromMessageSet: ByteBuffer(bytes: mutated))
                }
            }
        }
    }
}
