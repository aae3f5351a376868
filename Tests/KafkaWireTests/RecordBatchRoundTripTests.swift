import KafkaWire
import NIOCore
import Testing

@Suite("RecordBatch round trips")
struct RecordBatchRoundTripTests {
    static let codecs: [CompressionCodec] = [.none, .lz4]

    /// Encodes, decodes and checks every field a producer and a consumer care about.
    @discardableResult
    private func roundTrip(
        _ batch: RecordBatch, _ codec: CompressionCodec, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RecordBatch {
        var buffer = ByteBuffer(bytes: [0xEE, 0xEE])  // bytes before the batch must not matter
        buffer.moveReaderIndex(forwardBy: 2)
        try batch.encode(into: &buffer, compression: codec)
        let encodedSize = buffer.readableBytes
        buffer.writeBytes([0xAB, 0xCD])  // nor bytes after it

        let header = try RecordBatch.Header.validate(buffer)
        #expect(header.totalSize == encodedSize, sourceLocation: sourceLocation)
        #expect(header.recordsCount == Int32(batch.records.count), sourceLocation: sourceLocation)
        #expect(header.compression == codec, sourceLocation: sourceLocation)

        let decoded = try RecordBatch.decode(from: &buffer)
        #expect(buffer.readableBytes == 2, "decode consumes exactly one batch", sourceLocation: sourceLocation)
        #expect(decoded.records == batch.records, sourceLocation: sourceLocation)
        #expect(decoded.magic == 2)
        #expect(decoded.crc == header.crc)
        #expect(decoded.compression == codec, sourceLocation: sourceLocation)
        #expect(decoded.baseOffset == batch.baseOffset, sourceLocation: sourceLocation)
        #expect(decoded.partitionLeaderEpoch == batch.partitionLeaderEpoch, sourceLocation: sourceLocation)
        #expect(decoded.baseTimestamp == batch.baseTimestamp, sourceLocation: sourceLocation)
        #expect(decoded.producerId == batch.producerId, sourceLocation: sourceLocation)
        #expect(decoded.producerEpoch == batch.producerEpoch, sourceLocation: sourceLocation)
        #expect(decoded.baseSequence == batch.baseSequence, sourceLocation: sourceLocation)
        #expect(decoded.isTransactional == batch.isTransactional, sourceLocation: sourceLocation)
        #expect(decoded.timestampType == batch.timestampType, sourceLocation: sourceLocation)
        if !batch.records.isEmpty {
            #expect(decoded.lastOffsetDelta == Int32(batch.records.count - 1), sourceLocation: sourceLocation)
            let timestamps = batch.records.map { batch.baseTimestamp + $0.timestampDelta }
            if batch.timestampType == .createTime {
                #expect(decoded.maxTimestamp == timestamps.max(), sourceLocation: sourceLocation)
            }
        }
        // Re-encoding the decoded batch gives the same bytes: nothing was lost.
        var again = ByteBuffer()
        try decoded.encode(into: &again, compression: codec)
        var original = ByteBuffer()
        try batch.encode(into: &original, compression: codec)
        #expect(again == original, sourceLocation: sourceLocation)
        return decoded
    }

    @Test(arguments: codecs)
    func mixedProducerBatch(codec: CompressionCodec) throws {
        let producerRecords = RecordTestData.mixedRecords(count: 200, seed: 7)
        let batch = RecordBatch(producing: producerRecords)
        let decoded = try roundTrip(batch, codec)
        #expect(decoded.baseOffset == 0 && decoded.partitionLeaderEpoch == 0)
        #expect(decoded.producerId == -1 && decoded.producerEpoch == -1 && decoded.baseSequence == -1)
        for (index, (record, input)) in zip(decoded.records, producerRecords).enumerated() {
            #expect(record.offsetDelta == Int32(index))
            #expect(decoded.offset(of: record) == Int64(index))
            #expect(decoded.timestamp(of: record) == input.timestamp)
            #expect(record.key == input.key)
            #expect(record.value == input.value)
            #expect(record.headers == input.headers)
        }
        #expect(decoded.records.contains { $0.timestampDelta < 0 }, "the data must include negative deltas")
    }

    @Test(arguments: codecs)
    func nullsEmptiesAndHeaders(codec: CompressionCodec) throws {
        let records = [
            Record(offsetDelta: 0, keyBytes: nil, valueBytes: nil),  // null key, tombstone
            Record(offsetDelta: 1, keyBytes: [], valueBytes: []),  // empty, not null
            Record(
                timestampDelta: -5, offsetDelta: 2, keyBytes: [1], valueBytes: [2],
                headers: [
                    RecordHeader(key: "a", valueBytes: nil), RecordHeader(key: "a", valueBytes: []),
                    RecordHeader(key: "", valueBytes: [9, 9]),
                ]),
        ]
        let decoded = try roundTrip(RecordBatch(baseTimestamp: 1000, records: records), codec)
        #expect(decoded.records[0].key == nil && decoded.records[0].value == nil)
        #expect(decoded.records[1].key == ByteBuffer() && decoded.records[1].value == ByteBuffer())
        #expect(decoded.records[2].headers[0].value == nil)
        #expect(decoded.records[2].headers[1].valueBytes == [])
        #expect(decoded.maxTimestamp == 1000)
        #expect(decoded.timestamp(of: decoded.records[2]) == 995)
    }

    @Test(arguments: codecs)
    func manyRecords(codec: CompressionCodec) throws {
        let producerRecords = (0..<10_000).map { index in
            RecordBatch.ProducerRecord(
                keyBytes: Array("k\(index % 100)".utf8), valueBytes: Array("value-\(index)".utf8),
                timestamp: 1_700_000_000_000 + Int64(index))
        }
        let decoded = try roundTrip(RecordBatch(producing: producerRecords), codec)
        #expect(decoded.records.count == 10_000)
        #expect(decoded.lastOffsetDelta == 9_999)
        #expect(decoded.maxTimestamp == 1_700_000_000_000 + 9_999)
    }

    /// Values over 64 KB make the LZ4 frame span several 64 KB blocks; random bytes make
    /// liblz4 store blocks uncompressed, text makes it compress them.
    @Test(arguments: codecs)
    func largeValues(codec: CompressionCodec) throws {
        let records = [
            Record(offsetDelta: 0, keyBytes: Array("big-text".utf8), valueBytes: RecordTestData.text(300_000, seed: 1)),
            Record(offsetDelta: 1, keyBytes: nil, valueBytes: RecordTestData.random(150_000, seed: 2)),
            Record(
                offsetDelta: 2, keyBytes: RecordTestData.random(70_000, seed: 3), valueBytes: [1],
                headers: [RecordHeader(key: "blob", valueBytes: RecordTestData.text(80_000, seed: 4))]),
        ]
        let batch = RecordBatch(baseTimestamp: 5, records: records)
        try roundTrip(batch, codec)
        let encoded = try batch.recordTestBytes(codec)
        if codec == .lz4 {
            // One LZ4 frame in librdkafka's flavour right after recordsCount.
            #expect(Array(encoded[61..<67]) == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40])
            #expect(encoded.count < 61 + 300_000 + 150_000 + 70_000 + 80_000)
        }
    }

    @Test(arguments: codecs)
    func idempotentTransactionalAndStampedFields(codec: CompressionCodec) throws {
        var batch = RecordBatch(
            producing: RecordTestData.mixedRecords(count: 5, seed: 9),
            partitionLeaderEpoch: 7, producerId: 4242, producerEpoch: 3, baseSequence: 100, isTransactional: true)
        batch.baseOffset = 1_000_000_000_123
        let decoded = try roundTrip(batch, codec)
        #expect(decoded.lastOffset == 1_000_000_000_127)
        let header = try RecordBatch.Header(parsing: try batch.encoded(compression: codec))
        #expect(header.producerId == 4242 && header.baseSequence == 100 && header.isTransactional)
        try header.checkProducedBatchRules()
    }

    /// The produce fast path: the 61 header bytes alone are enough to read the header.
    @Test(arguments: codecs)
    func headerOnlyFastPath(codec: CompressionCodec) throws {
        var batch = RecordBatch(
            producing: RecordTestData.mixedRecords(count: 40, seed: 4), producerId: 8, producerEpoch: 1,
            baseSequence: 12)
        batch.baseOffset = 77
        let encoded = try batch.encoded(compression: codec)
        let headerBytes = try #require(encoded.getSlice(at: 0, length: RecordBatch.headerSize))
        let header = try RecordBatch.Header(parsing: headerBytes)
        #expect(header == (try RecordBatch.Header.validate(encoded)))
        #expect(header.baseOffset == 77 && header.lastOffset == 77 + 39)
        #expect(header.totalSize == encoded.readableBytes)
        #expect(header.recordsCount == 40 && header.lastOffsetDelta == 39)
        #expect(header.compression == codec && header.timestampType == .createTime && !header.isControl)
        #expect(header.producerId == 8 && header.producerEpoch == 1 && header.baseSequence == 12)
        #expect(header.baseTimestamp == batch.baseTimestamp && header.maxTimestamp == batch.maxTimestamp)
        try header.checkProducedBatchRules()
        #expect(recordExpectError { _ = try RecordBatch.Header.validate(headerBytes) }?.kind == .truncated)

        var rules = header
        rules.lastOffsetDelta = 38
        #expect(
            recordExpectError { try rules.checkProducedBatchRules() }?.kind
                == .lastOffsetDeltaMismatch(lastOffsetDelta: 38, recordsCount: 40))
        rules = header
        rules.attributes |= 0x20
        #expect(recordExpectError { try rules.checkProducedBatchRules() }?.kind == .controlBatchFromClient)
        rules = header
        rules.baseSequence = -1
        #expect(recordExpectError { try rules.checkProducedBatchRules() }?.kind == .invalidBaseSequence(-1))
    }

    @Test func logAppendTimeKeepsMaxTimestamp() throws {
        var batch = RecordBatch(producing: RecordTestData.mixedRecords(count: 3, seed: 1))
        batch.timestampType = .logAppendTime
        batch.maxTimestamp = 1_800_000_000_000
        let decoded = try roundTrip(batch, .none)
        #expect(decoded.maxTimestamp == 1_800_000_000_000)
        #expect(decoded.records.allSatisfy { decoded.timestamp(of: $0) == 1_800_000_000_000 })
    }

    @Test(arguments: codecs)
    func emptyBatch(codec: CompressionCodec) throws {
        let batch = RecordBatch(lastOffsetDelta: 4, baseTimestamp: -1, maxTimestamp: -1, records: [])
        let decoded = try roundTrip(batch, codec)
        #expect(decoded.records.isEmpty)
        #expect(decoded.lastOffsetDelta == 4, "without records the stored lastOffsetDelta is kept")
        let header = try RecordBatch.Header(parsing: try batch.encoded(compression: codec))
        #expect(recordExpectError { try header.checkProducedBatchRules() }?.kind == .invalidRecordCount(0))
    }

    @Test func producerTuplesAndAttributes() throws {
        let batch = RecordBatch(producing: [
            (key: [1], value: [2], headers: [], timestamp: 10),
            (key: nil, value: nil, headers: [RecordHeader(key: "h", valueBytes: nil)], timestamp: 7),
        ])
        #expect(batch.baseTimestamp == 10 && batch.maxTimestamp == 10)
        #expect(batch.records.map(\.timestampDelta) == [0, -3])
        #expect(batch.records.map(\.offsetDelta) == [0, 1])
        #expect(batch.lastOffsetDelta == 1)
        #expect(batch.attributes == 0 && batch.compression == .none && batch.timestampType == .createTime)

        var flags = batch
        flags.isControl = true
        flags.isTransactional = true
        flags.compression = .zstd
        flags.timestampType = .logAppendTime
        #expect(flags.attributes == 0x20 | 0x10 | 0x08 | 0x04)
        flags.isControl = false
        flags.compression = .none
        #expect(flags.attributes == 0x18)
        #expect(CompressionCodec(rawValue: 0x0B) == .lz4)
    }

    /// Exact bytes of a tiny batch, worked out by hand from the layout in KAFKA-WIRE.md.
    @Test func exactBytesOfATinyBatch() throws {
        let batch = RecordBatch(producing: [(key: nil, value: Array("hi".utf8), headers: [], timestamp: 1)])
        let bytes = try batch.recordTestBytes()
        let expectedRecord: [UInt8] = [0x10, 0x00, 0x00, 0x00, 0x01, 0x04, 0x68, 0x69, 0x00]  // length 8
        #expect(bytes.count == 61 + expectedRecord.count)
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(RecordTestBytes.int32(bytes, at: 8) == Int32(bytes.count - 12))
        #expect(Array(bytes[12..<17]) == [0, 0, 0, 0, 2])
        #expect(Array(bytes[21..<27]) == [0, 0, 0, 0, 0, 0])  // attributes, lastOffsetDelta 0
        #expect(Array(bytes[27..<43]) == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(Array(bytes[43..<61]) == [UInt8](repeating: 0xFF, count: 14) + [0, 0, 0, 1])
        #expect(Array(bytes[61...]) == expectedRecord)
        let crc = bytes.withUnsafeBytes { RecordBatch.Header.computeCRC($0) }
        #expect(UInt32(bitPattern: RecordTestBytes.int32(bytes, at: 17)) == crc)
    }

    @Test func encodeRefusesCodecsItCannotWrite() throws {
        let batch = RecordBatch(producing: RecordTestData.mixedRecords(count: 2, seed: 3))
        for codec in [CompressionCodec.gzip, .snappy, .zstd, CompressionCodec(rawValue: 6)] {
            var buffer = ByteBuffer(bytes: [1, 2, 3])
            #expect(
                recordExpectError { try batch.encode(into: &buffer, compression: codec) }?.kind
                    == .unsupportedCompression(codec))
            #expect(buffer == ByteBuffer(bytes: [1, 2, 3]), "a failed encode leaves the buffer as it was")
        }
    }

    /// A decoder reused across batches of both codecs gives the same results as fresh ones.
    @Test func reusedDecoderAndSequences() throws {
        var stream = ByteBuffer()
        var expected: [RecordBatch] = []
        for index in 0..<6 {
            var batch = RecordBatch(producing: RecordTestData.mixedRecords(count: 20 + index, seed: UInt64(index)))
            batch.baseOffset = Int64(index * 100)
            try batch.encode(into: &stream, compression: index % 2 == 0 ? .lz4 : .none)
            expected.append(batch)
        }
        let decoder = RecordBatch.Decoder(maxUncompressedBytes: 1 << 20)
        var copy = stream
        let batches = try decoder.decodeBatches(from: &copy)
        #expect(copy.readableBytes == 0)
        #expect(batches.map(\.records) == expected.map(\.records))
        #expect(batches.map(\.baseOffset) == [0, 100, 200, 300, 400, 500])
    }
}
