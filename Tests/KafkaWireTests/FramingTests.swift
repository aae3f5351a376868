import NIOCore
import Testing
@testable import KafkaWire

@Suite struct FramingTests {
    /// The advertised table: every API from v0, as Kafka 3.9 served them, to its last non-flexible
    /// version (KAFKA-WIRE.md §0's maxima), plus the admin APIs the CLI needs.
    @Test func advertisedTableMatchesTheContract() {
        let expected: [(Int16, Int16, Int16)] = [
            (0, 0, 8), (1, 0, 11), (2, 0, 5), (3, 0, 8), (8, 0, 7), (9, 0, 5), (10, 0, 2),
            (11, 0, 5), (12, 0, 3), (13, 0, 3), (14, 0, 3), (15, 0, 4), (16, 0, 2), (18, 0, 3), (19, 0, 4),
            (20, 0, 3), (22, 0, 1),
        ]
        #expect(ApiKey.advertised.map { [$0.apiKey, $0.minVersion, $0.maxVersion] } == expected.map { [$0.0, $0.1, $0.2] })
        #expect(ApiVersionsResponse.advertised().apiKeys == ApiKey.advertised)
        // Advertised exactly what is served: nothing advertised is refused.
        for key in ApiKey.allCases {
            #expect(key.advertisedVersions == key.supportedVersions, "\(key)")
        }
    }

    @Test func headerVersions() {
        // Only ApiVersions v3 is flexible in our range.
        for key in ApiKey.allCases {
            for version in key.supportedVersions {
                let flexible = key == .apiVersions && version == 3
                #expect(key.isFlexible(version) == flexible, "\(key) v\(version)")
                #expect(key.requestHeaderVersion(for: version) == (flexible ? 2 : 1))
                #expect(key.responseHeaderVersion(for: version) == 0)
            }
        }
        // Beyond our range the header versions still follow Kafka, so headers stay parseable.
        #expect(ApiKey.metadata.requestHeaderVersion(for: 9) == 2)
        #expect(ApiKey.metadata.responseHeaderVersion(for: 9) == 1)
        #expect(ApiKey.apiVersions.requestHeaderVersion(for: 4) == 2)
        #expect(ApiKey.apiVersions.responseHeaderVersion(for: 4) == 0)
        #expect(RequestHeader.headerVersion(rawApiKey: 999, apiVersion: 0) == 1)
    }

    @Test func requestHeaderRoundTrips() throws {
        let headers = [
            RequestHeader(apiKey: .fetch, apiVersion: 11, correlationId: -5, clientId: nil),
            RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 1, clientId: "c",
                          taggedFields: [KafkaTaggedField(tag: 3, data: wireBytes([9]))]),
            RequestHeader(rawApiKey: 999, apiVersion: 0, correlationId: 2, clientId: "x"),
        ]
        for header in headers {
            var b = ByteBuffer()
            header.encode(into: &b)
            #expect(try RequestHeader.decode(from: &b) == header)
            #expect(b.readableBytes == 0)
        }
        var v0 = ByteBuffer()
        RequestHeader(apiKey: .metadata, apiVersion: 0, correlationId: 3, clientId: nil).encode(into: &v0, headerVersion: 0)
        #expect(v0.readableBytes == 8)
        #expect(try RequestHeader.decode(from: &v0, headerVersion: 0).correlationId == 3)
        var any = wireBytes([0, 3, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF])
        #expect(expectWireError { _ = try RequestHeader.decode(from: &any, headerVersion: 3) }?.kind == .unsupportedHeaderVersion(3))
    }

    @Test func responseHeaderRoundTrips() throws {
        for (version, header) in [(Int16(0), ResponseHeader(correlationId: 9)),
                                  (1, ResponseHeader(correlationId: 9, taggedFields: [KafkaTaggedField(tag: 1, data: wireBytes([1]))]))] {
            var b = ByteBuffer()
            header.encode(into: &b, headerVersion: version)
            #expect(b.readableBytes == (version == 0 ? 4 : 8))
            #expect(try ResponseHeader.decode(from: &b, headerVersion: version) == header)
        }
    }

    @Test func framesAreReadWhenComplete() throws {
        var out = ByteBuffer()
        KafkaFrame.writeFrame(into: &out) { $0.writeBytes([1, 2, 3]) }
        KafkaFrame.writeFrame(into: &out) { _ in }
        #expect(Array(out.readableBytesView) == [0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0])

        // Delivered one byte at a time: nil until complete, buffer untouched meanwhile.
        var stream = ByteBuffer()
        var frames: [ByteBuffer] = []
        for byte in out.readableBytesView {
            stream.writeInteger(byte)
            let before = stream.readerIndex
            if let frame = try KafkaFrame.readFrame(from: &stream) {
                frames.append(frame)
            } else {
                #expect(stream.readerIndex == before)
            }
        }
        #expect(frames == [wireBytes([1, 2, 3]), ByteBuffer()])
        #expect(stream.readableBytes == 0)
    }

    @Test func oversizedAndNegativeFramesAreRejected() {
        var big = wireBytes([0x06, 0x40, 0x00, 0x01])  // 100 MiB + 1
        let e1 = expectWireError { _ = try KafkaFrame.readFrame(from: &big) }
        #expect(e1?.kind == .frameTooLarge(size: 100 * 1024 * 1024 + 1, limit: KafkaFrame.defaultMaxFrameSize))
        var small = wireBytes([0, 0, 1, 0])
        #expect(expectWireError { _ = try KafkaFrame.readFrame(from: &small, maxFrameSize: 255) }?.kind == .frameTooLarge(size: 256, limit: 255))
        var negative = wireBytes([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(expectWireError { _ = try KafkaFrame.readFrame(from: &negative) }?.kind == .invalidFrameSize(-1))
        #expect((try? KafkaFrame.checkFrameSize(100, maxFrameSize: 100)) == 100)
    }

    @Test func errorDescriptionCarriesContext() throws {
        var body = wireBytes([0, 0, 0, 1, 0, 9, 0x61])
        let error = try #require(expectWireError { _ = try MetadataRequest.decode(from: &body, version: 1) })
        #expect(error.apiKey == 3 && error.apiVersion == 1 && error.field == "name" && error.offset == 4)
        #expect(error.description.contains("metadata"))
        #expect(error.description.contains("v1"))
        #expect(error.description.contains("field=name"))
    }

    @Test func errorCodesMatchKafka() {
        let expected: [(KafkaErrorCode, Int16)] = [
            (.none, 0), (.offsetOutOfRange, 1), (.corruptMessage, 2), (.unknownTopicOrPartition, 3), (.leaderNotAvailable, 5),
            (.notLeaderOrFollower, 6), (.requestTimedOut, 7), (.messageTooLarge, 10), (.coordinatorLoadInProgress, 14),
            (.coordinatorNotAvailable, 15), (.notCoordinator, 16), (.invalidTopicException, 17), (.recordListTooLarge, 18),
            (.illegalGeneration, 22), (.inconsistentGroupProtocol, 23), (.unknownMemberId, 25), (.invalidSessionTimeout, 26),
            (.rebalanceInProgress, 27), (.unsupportedVersion, 35), (.topicAlreadyExists, 36), (.invalidPartitions, 37),
            (.invalidReplicationFactor, 38), (.invalidRequest, 42), (.unsupportedForMessageFormat, 43),
            (.outOfOrderSequenceNumber, 45), (.duplicateSequenceNumber, 46), (.invalidProducerEpoch, 47),
            (.unknownProducerId, 59), (.nonEmptyGroup, 68), (.groupIdNotFound, 69), (.unsupportedCompressionType, 76),
            (.memberIdRequired, 79), (.fencedInstanceId, 82), (.invalidRecord, 87),
        ]
        for (code, raw) in expected { #expect(code.rawValue == raw, "\(code)") }
    }
}
