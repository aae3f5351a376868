import ShopTestSupport
import Foundation
import KafkaWire
import NIOCore
import Testing

/// Interoperability with a real Kafka client's RecordBatch code: kafka-python 3.0.12
/// (`kafka.record.default_records`, pure Python, the builder its producer uses), run from the
/// repository's venv. Both directions: its batches decoded here, ours decoded there.
@Suite("RecordBatch interop with kafka-python")
struct RecordBatchInteropTests {
    // JSON shapes shared with the scripts; bytes travel as hex, null as JSON null.
    struct HeaderJSON: Codable, Equatable {
        var key: String
        var value: String?
    }
    struct RecordJSON: Codable, Equatable {
        var offset: Int64?
        var timestamp: Int64
        var key: String?
        var value: String?
        var headers: [HeaderJSON]
    }
    struct BatchSpec: Codable {
        var name: String
        var compression: Int
        var transactional: Bool
        var producer_id: Int64
        var producer_epoch: Int16
        var base_sequence: Int32
        var records: [RecordJSON]
    }
    struct DecodedBatchJSON: Codable {
        var name: String
        var crc_valid: Bool
        var base_offset: Int64
        var leader_epoch: Int32
        var last_offset_delta: Int32
        var first_timestamp: Int64
        var max_timestamp: Int64
        var producer_id: Int64
        var producer_epoch: Int16
        var base_sequence: Int32
        var records_count: Int32
        var compression_type: Int
        var timestamp_type: Int
        var is_transactional: Bool
        var records: [RecordJSON]
    }

    private static func json(_ record: RecordBatch.ProducerRecord) -> RecordJSON {
        func hex(_ buffer: ByteBuffer?) -> String? { buffer.map { RecordTestBytes.hex(Array($0.readableBytesView)) } }
        return RecordJSON(
            offset: nil, timestamp: record.timestamp, key: hex(record.key), value: hex(record.value),
            headers: record.headers.map { HeaderJSON(key: $0.key, value: hex($0.value)) })
    }

    /// The same cases for both directions: mixed records, a tombstone-only batch, one big
    /// multi-block value, an idempotent and a transactional producer.
    private static func cases(compression: Int) -> [(spec: BatchSpec, records: [RecordBatch.ProducerRecord])] {
        let big = [
            RecordBatch.ProducerRecord(
                keyBytes: Array("big".utf8), valueBytes: RecordTestData.text(150_000, seed: 11),
                headers: [RecordHeader(key: "k", valueBytes: nil)], timestamp: 1_700_000_000_000),
            RecordBatch.ProducerRecord(
                keyBytes: nil, valueBytes: RecordTestData.text(70_000, seed: 12), timestamp: 1_699_999_999_000),
        ]
        let tombstones = (0..<3).map {
            RecordBatch.ProducerRecord(
                keyBytes: Array("gone-\($0)".utf8), valueBytes: nil, timestamp: 1_600_000_000_000 + Int64($0))
        }
        let raw: [(String, [RecordBatch.ProducerRecord], Bool, Int64, Int16, Int32)] = [
            ("mixed", RecordTestData.mixedRecords(count: 120, seed: 21), false, -1, -1, -1),
            ("tombstones", tombstones + RecordTestData.mixedRecords(count: 10, seed: 22), false, -1, -1, -1),
            ("big", big, false, -1, -1, -1),
            ("idempotent", RecordTestData.mixedRecords(count: 30, seed: 23), false, 9001, 2, 57),
            ("transactional", RecordTestData.mixedRecords(count: 8, seed: 24), true, 9002, 0, 0),
        ]
        return raw.map { name, records, transactional, producerId, epoch, sequence in
            let spec = BatchSpec(
                name: "\(name)-c\(compression)", compression: compression, transactional: transactional,
                producer_id: producerId, producer_epoch: epoch, base_sequence: sequence, records: records.map(json))
            return (spec, records)
        }
    }

    static let buildScript = """
        import json, os
        specs = json.load(open(sys.argv[1]))
        for spec in specs:
            builder = DefaultRecordBatchBuilder(
                magic=2, compression_type=spec["compression"], is_transactional=spec["transactional"],
                producer_id=spec["producer_id"], producer_epoch=spec["producer_epoch"],
                base_sequence=spec["base_sequence"], batch_size=1 << 30)
            unhex = lambda h: None if h is None else bytes.fromhex(h)
            for index, record in enumerate(spec["records"]):
                headers = [(h["key"], unhex(h.get("value"))) for h in record["headers"]]
                meta = builder.append(index, timestamp=record["timestamp"], key=unhex(record.get("key")),
                                      value=unhex(record.get("value")), headers=headers)
                assert meta is not None, "builder refused a record"
            with open(os.path.join(sys.argv[2], spec["name"] + ".bin"), "wb") as out:
                out.write(bytes(builder.build()))
        """

    @Test(arguments: [0, 3])
    func decodeBatchesBuiltByKafkaPython(compression: Int) throws {
        try withRecordTestDirectory { directory in
            let cases = Self.cases(compression: compression)
            let specURL = directory.appendingPathComponent("specs.json")
            try JSONEncoder().encode(cases.map(\.spec)).write(to: specURL)
            try RecordTestPython.run(Self.buildScript, [specURL.path, directory.path], in: directory)

            var stream = ByteBuffer()
            var expectedRecords: [[RecordBatch.ProducerRecord]] = []
            for (spec, records) in cases {
                let bytes = try recordTestRead(directory.appendingPathComponent(spec.name + ".bin"))
                if compression == 3 {
                    // python-lz4 with kafka-python's options: independent blocks plus content size.
                    #expect(bytes[22] & 0x07 == 3, "\(spec.name): kafka-python fell back to no compression")
                    #expect(Array(bytes[61..<66]) == [0x04, 0x22, 0x4D, 0x18, 0x68], "\(spec.name)")
                }
                var buffer = ByteBuffer(bytes: bytes)
                let header = try RecordBatch.Header.validate(buffer)
                try header.checkProducedBatchRules()
                let batch = try RecordBatch.decode(from: &buffer)
                #expect(buffer.readableBytes == 0)
                #expect(batch.compression.rawValue == Int16(compression))
                #expect(batch.baseOffset == 0 && batch.partitionLeaderEpoch == 0)
                #expect(batch.producerId == spec.producer_id)
                #expect(batch.producerEpoch == spec.producer_epoch)
                #expect(batch.baseSequence == spec.base_sequence)
                #expect(batch.isTransactional == spec.transactional)
                #expect(batch.lastOffsetDelta == Int32(records.count - 1))
                #expect(batch.baseTimestamp == records[0].timestamp)
                #expect(batch.maxTimestamp == records.map(\.timestamp).max())
                try #require(batch.records.count == records.count, "\(spec.name)")
                for (index, (record, input)) in zip(batch.records, records).enumerated() {
                    #expect(batch.offset(of: record) == Int64(index))
                    #expect(batch.timestamp(of: record) == input.timestamp)
                    #expect(record.key == input.key, "\(spec.name) record \(index) key")
                    #expect(record.value == input.value, "\(spec.name) record \(index) value")
                    #expect(record.headers == input.headers, "\(spec.name) record \(index) headers")
                }
                // Uncompressed, our encoder writes exactly kafka-python's bytes. (LZ4 frames
                // differ by design: python-lz4 adds a content size, we write librdkafka's.)
                if compression == 0 {
                    let ours = try RecordBatch(
                        producing: records, producerId: spec.producer_id, producerEpoch: spec.producer_epoch,
                        baseSequence: spec.base_sequence, isTransactional: spec.transactional
                    ).recordTestBytes()
                    #expect(ours == bytes, "\(spec.name): byte-identical to kafka-python's builder")
                }
                stream.writeBytes(bytes)
                expectedRecords.append(records)
            }

            // The batches concatenated, as in a Fetch response, cut inside the last one.
            let lastSize = try RecordBatch.Header.validate(
                ByteBuffer(
                    bytes: try recordTestRead(
                        directory.appendingPathComponent(cases[cases.count - 1].spec.name + ".bin")))
            ).totalSize
            var cut = stream.getSlice(at: 0, length: stream.readableBytes - lastSize / 2) ?? ByteBuffer()
            let batches = try RecordBatch.decodeBatches(from: &cut)
            #expect(batches.count == cases.count - 1)
            #expect(cut.readableBytes == lastSize - lastSize / 2, "the partial batch stays readable")
            for (batch, records) in zip(batches, expectedRecords) {
                #expect(batch.records.map(\.value) == records.map(\.value))
            }
        }
    }

    static let readScript = """
        import json, os
        hexa = lambda b: None if b is None else bytes(b).hex()
        def describe(name, batch):
            crc_valid = batch.validate_crc()
            records = [{"offset": r.offset, "timestamp": r.timestamp, "key": hexa(r.key), "value": hexa(r.value),
                        "headers": [{"key": k, "value": hexa(v)} for k, v in r.headers]} for r in batch]
            return {"name": name, "crc_valid": crc_valid, "base_offset": batch.base_offset,
                    "leader_epoch": batch.leader_epoch, "last_offset_delta": batch.last_offset_delta,
                    "first_timestamp": batch.first_timestamp, "max_timestamp": batch.max_timestamp,
                    "producer_id": batch.producer_id, "producer_epoch": batch.producer_epoch,
                    "base_sequence": batch.base_sequence, "records_count": batch.records_count,
                    "compression_type": batch.compression_type, "timestamp_type": batch.timestamp_type,
                    "is_transactional": batch.is_transactional, "records": records}
        out = []
        for path in sys.argv[2:]:
            data = open(path, "rb").read()
            out.append(describe(os.path.basename(path), DefaultRecordBatch(data)))
        # The whole stream (with its partial tail) through the consumer's MemoryRecords.
        stream = MemoryRecords(open(sys.argv[1], "rb").read())
        while stream.has_next():
            batch = stream.next_batch()
            out.append(describe("stream", batch))
        print(json.dumps(out))
        """

    @Test func kafkaPythonDecodesOurBatches() throws {
        try withRecordTestDirectory { directory in
            var expected: [(name: String, batch: RecordBatch, codec: CompressionCodec)] = []
            for codec in [CompressionCodec.none, .lz4] {
                for (spec, records) in Self.cases(compression: Int(codec.rawValue)) {
                    var batch = RecordBatch(
                        producing: records, producerId: spec.producer_id, producerEpoch: spec.producer_epoch,
                        baseSequence: spec.base_sequence, isTransactional: spec.transactional)
                    if spec.name.hasPrefix("mixed") {
                        batch.baseOffset = 5_000  // as a broker stamps it
                        batch.partitionLeaderEpoch = 3
                    }
                    expected.append((spec.name + ".bin", batch, codec))
                }
            }
            var appendTime = RecordBatch(producing: RecordTestData.mixedRecords(count: 4, seed: 5))
            appendTime.timestampType = .logAppendTime
            appendTime.maxTimestamp = 1_750_000_000_000
            expected.append(("append-time.bin", appendTime, .lz4))

            var paths: [String] = []
            var stream = ByteBuffer()
            for (name, batch, codec) in expected {
                let bytes = try batch.recordTestBytes(codec)
                let url = directory.appendingPathComponent(name)
                try recordTestWrite(bytes, to: url)
                paths.append(url.path)
                stream.writeBytes(bytes)
            }
            // A partial trailing batch, as Kafka's byte-limited fetch responses end.
            let partial = try expected[0].batch.recordTestBytes()
            stream.writeBytes(partial[0..<(partial.count - 7)])
            let streamURL = directory.appendingPathComponent("stream.bin")
            try recordTestWrite(Array(stream.readableBytesView), to: streamURL)

            let output = try RecordTestPython.run(Self.readScript, [streamURL.path] + paths, in: directory)
            let decoded = try JSONDecoder().decode([DecodedBatchJSON].self, from: Data(output.utf8))
            try #require(
                decoded.count == expected.count * 2,
                "kafka-python must see every whole batch of the stream, and no partial one")

            for (index, theirs) in decoded.enumerated() {
                let (name, batch, codec) = expected[index % expected.count]
                #expect(theirs.name == name || theirs.name == "stream")
                #expect(theirs.crc_valid, "\(name): kafka-python's CRC check")
                #expect(theirs.compression_type == Int(codec.rawValue), "\(name)")
                #expect(theirs.base_offset == batch.baseOffset)
                #expect(theirs.leader_epoch == batch.partitionLeaderEpoch)
                #expect(theirs.last_offset_delta == Int32(batch.records.count - 1))
                #expect(theirs.records_count == Int32(batch.records.count))
                #expect(theirs.first_timestamp == batch.baseTimestamp)
                #expect(theirs.max_timestamp == batch.maxTimestamp)
                #expect(theirs.producer_id == batch.producerId)
                #expect(theirs.producer_epoch == batch.producerEpoch)
                #expect(theirs.base_sequence == batch.baseSequence)
                #expect(theirs.is_transactional == batch.isTransactional)
                #expect(theirs.timestamp_type == Int(batch.timestampType.rawValue))
                let ours = batch.records.map { record in
                    RecordJSON(
                        offset: batch.offset(of: record), timestamp: batch.timestamp(of: record),
                        key: record.keyBytes.map(RecordTestBytes.hex),
                        value: record.valueBytes.map(RecordTestBytes.hex),
                        headers: record.headers.map {
                            HeaderJSON(key: $0.key, value: $0.valueBytes.map(RecordTestBytes.hex))
                        })
                }
                #expect(theirs.records == ours, "\(name): records as kafka-python reads them")
            }
        }
    }

    /// Our varints against kafka-python's encoder and decoder, on boundary and random values.
    @Test func varintsMatchKafkaPython() throws {
        var values: [Int64] = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, Int64(Int32.max), Int64(Int32.min), .max, .min]
        var rng = SplitMix64(seed: 99)
        for _ in 0..<300 {
            let raw = rng.next()
            values.append(Int64(bitPattern: raw) >> (raw % 64))
        }
        var ours = ByteBuffer()
        for value in values { ZigZagVarint.writeVarlong(value, to: &ours) }
        let script = """
            values = [int(v) for v in sys.argv[1].split(",")]
            out = bytearray()
            for v in values:
                encode_varint(v, out.append)
            theirs = bytes.fromhex(sys.argv[2])
            pos, decoded = 0, []
            while pos < len(theirs):
                value, pos = decode_varint(theirs, pos)
                decoded.append(value)
            assert decoded == values, "kafka-python decodes our varints differently"
            print(out.hex())
            """
        try withRecordTestDirectory { directory in
            let output = try RecordTestPython.run(
                script,
                [values.map(String.init).joined(separator: ","), RecordTestBytes.hex(Array(ours.readableBytesView))],
                in: directory)
            #expect(
                output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == RecordTestBytes.hex(Array(ours.readableBytesView)))
        }
    }
}
