import NIOCore
import Testing
@testable import KafkaWire

/// Hand-written frames checked byte by byte against the Kafka protocol spec (kafka.apache.org
/// protocol guide + the JSON schemas): big-endian integers, int16-length strings, int32
/// array counts, and for flexible versions uvarint(len+1) compact strings/arrays plus 0x00
/// empty tagged-field sections.
@Suite struct ByteVectorTests {
    func requestFrame(_ request: KafkaRequest, _ header: RequestHeader) -> [UInt8] {
        var buffer = ByteBuffer()
        KafkaFrame.encodeRequest(request, header: header, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    func responseFrame(_ response: KafkaResponse, correlationId: Int32, version: Int16) -> [UInt8] {
        var buffer = ByteBuffer()
        KafkaFrame.encodeResponse(response, correlationId: correlationId, version: version, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Decodes the frame again and checks it gives back the same header and request.
    func decodeRequestFrame(_ frame: [UInt8]) throws -> (RequestHeader, KafkaRequest) {
        var buffer = wireBytes(frame)
        let body = try #require(try KafkaFrame.readFrame(from: &buffer))
        return try KafkaFrame.decodeRequest(body)
    }

    @Test func apiVersionsV0Request() throws {
        let header = RequestHeader(apiKey: .apiVersions, apiVersion: 0, correlationId: 7, clientId: "kw")
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x0C,  // size 12
            0x00, 0x12,              // api_key 18
            0x00, 0x00,              // api_version 0
            0x00, 0x00, 0x00, 0x07,  // correlation_id 7
            0x00, 0x02, 0x6B, 0x77,  // client_id "kw" (header v1: no tagged fields)
            // empty body
        ]
        #expect(requestFrame(.apiVersions(ApiVersionsRequest()), header) == expected)
        let (h, r) = try decodeRequestFrame(expected)
        #expect(h == header)
        #expect(r == .apiVersions(ApiVersionsRequest()))
    }

    @Test func apiVersionsV3Request() throws {
        let header = RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 7, clientId: "kw")
        let request = ApiVersionsRequest(clientSoftwareName: "kw-swift", clientSoftwareVersion: "1.0")
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x1B,  // size 27
            0x00, 0x12, 0x00, 0x03,  // api_key 18, api_version 3
            0x00, 0x00, 0x00, 0x07,  // correlation_id 7
            0x00, 0x02, 0x6B, 0x77,  // client_id "kw": still a classic int16 string in header v2
            0x00,                    // header tagged fields: none
            0x09, 0x6B, 0x77, 0x2D, 0x73, 0x77, 0x69, 0x66, 0x74,  // compact "kw-swift" (8+1)
            0x04, 0x31, 0x2E, 0x30,  // compact "1.0" (3+1)
            0x00,                    // body tagged fields: none
        ]
        #expect(requestFrame(.apiVersions(request), header) == expected)
        let (h, r) = try decodeRequestFrame(expected)
        #expect(h == header)
        #expect(r == .apiVersions(request))
    }

    @Test func apiVersionsV0Response() throws {
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 3)])
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x10,  // size 16
            0x00, 0x00, 0x00, 0x07,  // correlation_id (response header v0)
            0x00, 0x00,              // error_code 0
            0x00, 0x00, 0x00, 0x01,  // api_keys count 1
            0x00, 0x12, 0x00, 0x00, 0x00, 0x03,  // (18, 0, 3)
        ]
        #expect(responseFrame(.apiVersions(response), correlationId: 7, version: 0) == expected)
        let body = ByteBuffer(bytes: expected.dropFirst(4))
        let (header, decoded) = try KafkaFrame.decodeResponse(body, apiKey: .apiVersions, version: 0)
        #expect(header.correlationId == 7)
        #expect(decoded == .apiVersions(response))
    }

    @Test func apiVersionsV3Response() throws {
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 3)], throttleTimeMs: 0)
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x13,  // size 19
            0x00, 0x00, 0x00, 0x07,  // correlation_id; header v0 even for v3 (no tag byte here)
            0x00, 0x00,              // error_code 0
            0x02,                    // compact array: 1 entry (1+1)
            0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00,  // (18, 0, 3) + empty entry tags
            0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
            0x00,                    // body tagged fields: none
        ]
        #expect(responseFrame(.apiVersions(response), correlationId: 7, version: 3) == expected)
        let (header, decoded) = try KafkaFrame.decodeResponse(ByteBuffer(bytes: expected.dropFirst(4)), apiKey: .apiVersions, version: 3)
        #expect(header == ResponseHeader(correlationId: 7))
        #expect(decoded == .apiVersions(response))
    }

    /// KIP-511: an ApiVersions request above our maximum gets a v0 body with error 35 and
    /// the full table, under a v0 response header (section 9 A.3 of KAFKA-WIRE.md).
    @Test func apiVersionsUnsupportedVersionFallback() throws {
        // ApiVersions v9, correlation id 42, client "test", empty tag section (header v2).
        let frame: [UInt8] = [0x00, 0x12, 0x00, 0x09, 0x00, 0x00, 0x00, 0x2A, 0x00, 0x04, 0x74, 0x65, 0x73, 0x74, 0x00]
        var body = wireBytes(frame)
        let header = try RequestHeader.decode(from: &body)
        #expect(header.correlationId == 42 && header.apiKey == .apiVersions && header.apiVersion == 9)
        #expect(body.readableBytes == 0)
        let error = expectWireError { _ = try KafkaRequest.decode(header: header, body: body) }
        #expect(error?.kind == .unsupportedVersion(apiKey: 18, version: 9))

        let out = responseFrame(.apiVersions(.unsupportedVersionFallback()), correlationId: header.correlationId, version: 0)
        let count = ApiKey.advertised.count
        #expect(Array(out[4..<8]) == [0x00, 0x00, 0x00, 0x2A])  // correlation id, no tag byte
        #expect(Array(out[8..<10]) == [0x00, 0x23])             // error 35
        #expect(Array(out[10..<14]) == [0x00, 0x00, 0x00, UInt8(count)])
        #expect(Array(out[14..<20]) == [0x00, 0x00, 0x00, 0x00, 0x00, 0x08])  // Produce 0–8 first
        #expect(out.count == 4 + 4 + 2 + 4 + 6 * count)          // v0: no throttle field
        let triples = stride(from: 14, to: out.count, by: 6).map { Array(out[$0..<$0 + 6]) }
        #expect(triples.contains([0x00, 0x12, 0x00, 0x00, 0x00, 0x03]))  // (18, 0, 3)

        // A client that asked for v3 parses the v0 body thanks to the fallback.
        let decoded = try ApiVersionsResponse.decodeWithFallback(body: ByteBuffer(bytes: out.dropFirst(8)), version: 3)
        #expect(decoded == .unsupportedVersionFallback())
    }

    @Test func metadataV0Request() throws {
        let header = RequestHeader(apiKey: .metadata, apiVersion: 0, correlationId: 1, clientId: "kw")
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x17,  // size 23
            0x00, 0x03, 0x00, 0x00,  // api_key 3, api_version 0
            0x00, 0x00, 0x00, 0x01,  // correlation_id 1
            0x00, 0x02, 0x6B, 0x77,  // client_id "kw"
            0x00, 0x00, 0x00, 0x01,  // topics count 1
            0x00, 0x05, 0x74, 0x6F, 0x70, 0x69, 0x63,  // "topic"
        ]
        let request = MetadataRequest(topics: ["topic"])
        #expect(requestFrame(.metadata(request), header) == expected)
        let (h, r) = try decodeRequestFrame(expected)
        #expect(h == header)
        #expect(r == .metadata(request))
    }

    @Test func produceV3RequestHeaderAndBody() throws {
        let header = RequestHeader(apiKey: .produce, apiVersion: 3, correlationId: 42, clientId: "rdkafka")
        let request = ProduceRequest(transactionalId: nil, acks: -1, timeoutMs: 30_000, topics: [
            .init(name: "t", partitions: [.init(index: 0, records: wireBytes([1, 2, 3]))]),
        ])
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x2F,  // size 47
            0x00, 0x00,              // api_key 0 (Produce)
            0x00, 0x03,              // api_version 3
            0x00, 0x00, 0x00, 0x2A,  // correlation_id 42
            0x00, 0x07, 0x72, 0x64, 0x6B, 0x61, 0x66, 0x6B, 0x61,  // client_id "rdkafka"
            0xFF, 0xFF,              // transactional_id null
            0xFF, 0xFF,              // acks -1
            0x00, 0x00, 0x75, 0x30,  // timeout_ms 30000
            0x00, 0x00, 0x00, 0x01,  // topic_data count 1
            0x00, 0x01, 0x74,        // "t"
            0x00, 0x00, 0x00, 0x01,  // partition_data count 1
            0x00, 0x00, 0x00, 0x00,  // index 0
            0x00, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03,  // records: 3 bytes
        ]
        #expect(requestFrame(.produce(request), header) == expected)
        let (h, r) = try decodeRequestFrame(expected)
        #expect(h == header)
        #expect(h.headerVersion == 1)
        #expect(r == .produce(request))
    }

    @Test func fetchV11EmptyPartitionResponse() throws {
        // An empty partition: records must be 0-length bytes, never null (-1).
        let response = FetchResponse(topics: [.init(topic: "t", partitions: [.init(partitionIndex: 0, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0)])])
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // throttle_time_ms
            0x00, 0x00,              // error_code
            0x00, 0x00, 0x00, 0x00,  // session_id
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x74,  // responses: 1 topic "t"
            0x00, 0x00, 0x00, 0x01,  // 1 partition
            0x00, 0x00, 0x00, 0x00,  // partition_index 0
            0x00, 0x00,              // error_code
            0, 0, 0, 0, 0, 0, 0, 0,  // high_watermark
            0, 0, 0, 0, 0, 0, 0, 0,  // last_stable_offset
            0, 0, 0, 0, 0, 0, 0, 0,  // log_start_offset (v5+)
            0xFF, 0xFF, 0xFF, 0xFF,  // aborted_transactions null
            0xFF, 0xFF, 0xFF, 0xFF,  // preferred_read_replica -1 (v11)
            0x00, 0x00, 0x00, 0x00,  // records: 0-length
        ]
        #expect(Array(wireEncoded(response, version: 11).readableBytesView) == expected)
    }
}
