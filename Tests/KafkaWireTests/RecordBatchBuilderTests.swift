import KafkaWire
import NIOCore
import Testing

/// RecordBatchBuilder writes records as they arrive; its batches must decode with the regular
/// decoder and be byte-identical to encoding the same records through `RecordBatch(producing:)`.
@Suite("RecordBatchBuilder")
struct RecordBatchBuilderTests {
    struct Input {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeader]
        var timestamp: Int64
    }

    /// Builds with the builder (byte-array appends) and through the batch encoder; checks both.
    private func check(
        _ inputs: [Input], codec: CompressionCodec, producerId: Int64 = -1, epoch: Int16 = -1, sequence: Int32 = -1,
        transactional: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var builder = RecordBatchBuilder(capacity: 64)  // small: appends must grow the buffer
        var expectedSize = RecordBatch.headerSize
        for input in inputs {
            let predicted = builder.sizeOfNextRecord(
                keyCount: input.key?.count, valueCount: input.value?.count, headers: input.headers,
                timestamp: input.timestamp)
            let written = try builder.append(
                key: input.key, value: input.value, headers: input.headers, timestamp: input.timestamp)
            #expect(written == predicted, sourceLocation: sourceLocation)
            expectedSize += written
        }
        #expect(builder.count == inputs.count, sourceLocation: sourceLocation)
        #expect(builder.sizeInBytes == expectedSize, sourceLocation: sourceLocation)
        let built = try builder.finish(
            producerId: producerId, producerEpoch: epoch, baseSequence: sequence, compression: codec,
            isTransactional: transactional)
        #expect(builder.isEmpty && builder.sizeInBytes == RecordBatch.headerSize, sourceLocation: sourceLocation)

        let reference = RecordBatch(
            producing: inputs.map { (key: $0.key, value: $0.value, headers: $0.headers, timestamp: $0.timestamp) },
            producerId: producerId, producerEpoch: epoch, baseSequence: sequence, isTransactional: transactional)
        let encoded = try reference.encoded(compression: codec)
        #expect(Array(built.readableBytesView) == Array(encoded.readableBytesView), "byte-identical to the encoder",
                sourceLocation: sourceLocation)

        let header = try RecordBatch.Header.validate(built)
        #expect(header.recordsCount == Int32(inputs.count), sourceLocation: sourceLocation)
        #expect(header.compression == codec, sourceLocation: sourceLocation)
        var readable = built
        let decoded = try RecordBatch.decode(from: &readable)
        #expect(readable.readableBytes == 0, sourceLocation: sourceLocation)
        #expect(decoded.records.count == inputs.count, sourceLocation: sourceLocation)
        #expect(decoded.producerId == producerId && decoded.producerEpoch == epoch && decoded.baseSequence == sequence,
                sourceLocation: sourceLocation)
        #expect(decoded.isTransactional == transactional, sourceLocation: sourceLocation)
        if let first = inputs.first {
            #expect(decoded.baseTimestamp == first.timestamp, sourceLocation: sourceLocation)
            #expect(decoded.maxTimestamp == inputs.map(\.timestamp).max(), sourceLocation: sourceLocation)
            #expect(decoded.lastOffsetDelta == Int32(inputs.count - 1), sourceLocation: sourceLocation)
        }
        for (index, (record, input)) in zip(decoded.records, inputs).enumerated() {
            #expect(record.offsetDelta == Int32(index), sourceLocation: sourceLocation)
            #expect(decoded.timestamp(of: record) == input.timestamp, sourceLocation: sourceLocation)
            #expect(record.keyBytes == input.key, sourceLocation: sourceLocation)
            #expect(record.valueBytes == input.value, sourceLocation: sourceLocation)
            #expect(record.headers == input.headers, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func plainRecordsMatchTheEncoder(codec: CompressionCodec) throws {
        let inputs = (0..<500).map { index in
            Input(key: Array("key-\(index)".utf8), value: RecordTestData.text(100, seed: UInt64(index)), headers: [],
                  timestamp: 1_700_000_000_000 + Int64(index / 7))
        }
        try check(inputs, codec: codec, producerId: 42, epoch: 3, sequence: 1000)
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func nullKeysValuesAndHeaders(codec: CompressionCodec) throws {
        let inputs = [
            Input(key: nil, value: [1, 2, 3], headers: [], timestamp: 10),
            Input(key: [9], value: nil, headers: [], timestamp: 5),  // earlier than the first: negative delta
            Input(key: nil, value: nil, headers: [RecordHeader(key: "trace", valueBytes: Array("abc".utf8))], timestamp: 20),
            Input(key: [], value: [], headers: [
                RecordHeader(key: "n", valueBytes: nil), RecordHeader(key: "", valueBytes: []),
                RecordHeader(key: "ünïcode", valueBytes: RecordTestData.random(300, seed: 7)),
            ], timestamp: 20),
            Input(key: RecordTestData.random(200, seed: 1), value: RecordTestData.random(70_000, seed: 2), headers: [],
                  timestamp: Int64.max),  // a wrapping delta still round-trips
        ]
        try check(inputs, codec: codec)
        try check(inputs, codec: codec, transactional: true)
    }

    @Test(arguments: [CompressionCodec.none, .lz4])
    func emptyAndSingleRecordBatches(codec: CompressionCodec) throws {
        try check([], codec: codec)
        try check([Input(key: nil, value: nil, headers: [], timestamp: -1)], codec: codec, producerId: 0, epoch: 0, sequence: 0)
    }

    @Test func byteBufferAppendsMatchArrayAppends() throws {
        var fromArrays = RecordBatchBuilder()
        var fromBuffers = RecordBatchBuilder()
        for index in 0..<50 {
            let value = RecordTestData.random(index * 3, seed: UInt64(index))
            let key: [UInt8]? = index % 3 == 0 ? nil : Array("k\(index)".utf8)
            try fromArrays.append(key: key, value: value, timestamp: Int64(index))
            var padded = ByteBuffer(bytes: [0xEE] + value)
            padded.moveReaderIndex(forwardBy: 1)  // only the readable bytes count
            try fromBuffers.append(key: key.map { ByteBuffer(bytes: $0) }, value: padded, timestamp: Int64(index))
        }
        let first = try fromArrays.finish(compression: .lz4)
        let second = try fromBuffers.finish(compression: .lz4)
        #expect(first == second)
    }

    @Test func builderIsReusableAfterFinish() throws {
        var builder = RecordBatchBuilder()
        try builder.append(key: nil, value: [1], timestamp: 100)
        let first = try builder.finish(baseSequence: 0)
        try builder.append(key: nil, value: [2], timestamp: 200)
        try builder.append(key: nil, value: [3], timestamp: 150)
        var second = try builder.finish(baseSequence: 1)
        #expect(first.readableBytes > RecordBatch.headerSize)
        let decoded = try RecordBatch.decode(from: &second)
        #expect(decoded.baseTimestamp == 200 && decoded.maxTimestamp == 200)
        #expect(decoded.records.map(\.valueBytes) == [[2], [3]])
        #expect(decoded.records.map(\.timestampDelta) == [0, -50])
    }

    @Test func unsupportedCodecKeepsTheRecords() throws {
        var builder = RecordBatchBuilder()
        try builder.append(key: nil, value: [1], timestamp: 1)
        #expect(throws: RecordBatchError.self) { try builder.finish(compression: .gzip) }
        #expect(builder.count == 1)
        var batch = try builder.finish()
        #expect(try RecordBatch.decode(from: &batch).records.count == 1)
    }
}
