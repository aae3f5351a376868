import NIOCore
import Testing
@testable import KafkaWire

/// Every request and response at every supported version: fields present at a version are
/// set to non-default values; fields absent there are written by the full sample but must be
/// skipped on encode and come back as their schema defaults.
@Suite struct MessageRoundTripTests {
    let recordsA = wireBytes([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0xAB])
    let recordsB = wireBytes(Array(0..<200).map { UInt8($0) })

    @Test func apiVersions() throws {
        let tag = KafkaTaggedField(tag: 7, data: wireBytes([1, 2, 3]))
        try checkWireRequest(KafkaRequest.apiVersions) { s in
            ApiVersionsRequest(clientSoftwareName: s.since(3, "kw-swift", ""), clientSoftwareVersion: s.since(3, "1.2.3", ""),
                               taggedFields: s.since(3, [tag], []))
        }
        try checkWireResponse(KafkaResponse.apiVersions) { s in
            ApiVersionsResponse(
                errorCode: 0,
                apiKeys: [
                    .init(apiKey: 0, minVersion: 0, maxVersion: 8, taggedFields: s.since(3, [tag], [])),
                    .init(apiKey: 18, minVersion: 0, maxVersion: 3),
                ],
                throttleTimeMs: s.since(1, 12, 0),
                taggedFields: s.since(3, [tag, KafkaTaggedField(tag: 300, data: ByteBuffer())], []))
        }
    }

    @Test func produce() throws {
        try checkWireRequest(KafkaRequest.produce) { s in
            ProduceRequest(transactionalId: s.since(3, "txn", nil), acks: -1, timeoutMs: 30_000, topics: [
                .init(name: "orders", partitions: [.init(index: 0, records: recordsA), .init(index: 3, records: nil)]),
                .init(name: "payments", partitions: [.init(index: 1, records: recordsB)]),
            ])
        }
        try checkWireResponse(KafkaResponse.produce) { s in
            ProduceResponse(topics: [
                .init(name: "orders", partitions: [
                    .init(index: 0, errorCode: 0, baseOffset: 42, logAppendTimeMs: s.since(2, 1_700_000_000_000, -1),
                          logStartOffset: s.since(5, 7, -1),
                          recordErrors: s.since(8, [.init(batchIndex: 2, batchIndexErrorMessage: "bad"), .init(batchIndex: 3)], []),
                          errorMessage: s.since(8, "some records failed", nil)),
                    .init(index: 1, errorCode: KafkaErrorCode.outOfOrderSequenceNumber.rawValue, baseOffset: -1),
                ]),
            ], throttleTimeMs: s.since(1, 5, 0))
        }
    }

    @Test func fetch() throws {
        try checkWireRequest(KafkaRequest.fetch) { s in
            FetchRequest(
                replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: s.since(3, 52_428_800, Int32.max), isolationLevel: s.since(4, 1, 0),
                sessionId: s.since(7, 9, 0), sessionEpoch: s.since(7, 3, -1),
                topics: [.init(topic: "orders", partitions: [
                    .init(partition: 0, currentLeaderEpoch: s.since(9, 0, -1), fetchOffset: 17,
                          logStartOffset: s.since(5, 2, -1), partitionMaxBytes: 1_048_576),
                    .init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1024),
                ])],
                forgottenTopicsData: s.since(7, [.init(topic: "old", partitions: [4, 5])], []),
                rackId: s.since(11, "rack-a", ""))
        }
        try checkWireResponse(KafkaResponse.fetch) { s in
            FetchResponse(
                throttleTimeMs: s.since(1, 3, 0), errorCode: s.since(7, KafkaErrorCode.invalidFetchSessionEpoch.rawValue, 0), sessionId: s.since(7, 11, 0),
                topics: [.init(topic: "orders", partitions: [
                    .init(partitionIndex: 0, errorCode: 0, highWatermark: 100, lastStableOffset: s.since(4, 99, -1),
                          logStartOffset: s.since(5, 10, -1),
                          abortedTransactions: s.since(4, [.init(producerId: 1000, firstOffset: 50)], nil),
                          preferredReadReplica: s.since(11, 1, -1), records: recordsB),
                    .init(partitionIndex: 1, errorCode: KafkaErrorCode.offsetOutOfRange.rawValue, highWatermark: 5,
                          lastStableOffset: s.since(4, 5, -1), abortedTransactions: nil, records: ByteBuffer()),
                    .init(partitionIndex: 2, highWatermark: 0, abortedTransactions: s.since(4, [], nil), records: nil),
                ])])
        }
    }

    @Test func listOffsets() throws {
        try checkWireRequest(KafkaRequest.listOffsets) { s in
            ListOffsetsRequest(replicaId: -1, isolationLevel: s.since(2, 1, 0), topics: [
                .init(name: "orders", partitions: [
                    .init(partitionIndex: 0, currentLeaderEpoch: s.since(4, 0, -1), timestamp: -1, maxNumOffsets: s.within(0...0, 5, 1)),
                    .init(partitionIndex: 1, currentLeaderEpoch: s.since(4, 2, -1), timestamp: 1_700_000_000_000),
                ]),
            ])
        }
        try checkWireResponse(KafkaResponse.listOffsets) { s in
            ListOffsetsResponse(throttleTimeMs: s.since(2, 8, 0), topics: [
                .init(name: "orders", partitions: [
                    .init(partitionIndex: 0, errorCode: 0, timestamp: s.since(1, 1_700_000_000_000, -1), offset: s.since(1, 123, -1),
                          leaderEpoch: s.since(4, 0, -1), oldStyleOffsets: s.within(0...0, [123, 0], [])),
                    .init(partitionIndex: 1, errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue),
                ]),
            ])
        }
    }

    @Test func metadata() throws {
        try checkWireRequest(KafkaRequest.metadata) { s in
            MetadataRequest(topics: ["orders", "payments"], allowAutoTopicCreation: s.since(4, false, true),
                            includeClusterAuthorizedOperations: s.since(8, true, false),
                            includeTopicAuthorizedOperations: s.since(8, true, false))
        }
        try checkWireResponse(KafkaResponse.metadata) { s in
            MetadataResponse(
                throttleTimeMs: s.since(3, 4, 0),
                brokers: [.init(nodeId: 1, host: "127.0.0.1", port: 9092, rack: s.since(1, "r1", nil))],
                clusterId: s.since(2, "shop-cluster", nil),
                controllerId: s.since(1, 1, -1),
                topics: [
                    .init(errorCode: 0, name: "orders", isInternal: s.since(1, true, false), partitions: [
                        .init(errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: s.since(7, 0, -1),
                              replicaNodes: [1], isrNodes: [1], offlineReplicas: s.since(5, [2], [])),
                    ], topicAuthorizedOperations: s.since(8, 0x0FF8, Int32.min)),
                    .init(errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue, name: "missing", partitions: []),
                ],
                clusterAuthorizedOperations: s.since(8, 0x0F, Int32.min))
        }
    }

    @Test func offsetCommit() throws {
        try checkWireRequest(KafkaRequest.offsetCommit) { s in
            OffsetCommitRequest(groupId: "g1", generationId: s.since(1, 3, -1), memberId: s.since(1, "m-1", ""),
                                groupInstanceId: s.since(7, "instance-1", nil),
                                retentionTimeMs: s.within(2...4, 86_400_000, -1),
                                topics: [.init(name: "orders", partitions: [
                                    .init(partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: s.since(6, 0, -1),
                                          commitTimestamp: s.within(1...1, 1_700_000_000_000, -1), committedMetadata: "meta"),
                                    .init(partitionIndex: 1, committedOffset: 11, committedMetadata: nil),
                                ])])
        }
        try checkWireResponse(KafkaResponse.offsetCommit) { s in
            OffsetCommitResponse(throttleTimeMs: s.since(3, 6, 0), topics: [
                .init(name: "orders", partitions: [.init(partitionIndex: 0), .init(partitionIndex: 1, errorCode: 22)]),
            ])
        }
    }

    @Test func offsetFetch() throws {
        try checkWireRequest(KafkaRequest.offsetFetch) { _ in
            OffsetFetchRequest(groupId: "g1", topics: [.init(name: "orders", partitionIndexes: [0, 1, 2])])
        }
        try checkWireResponse(KafkaResponse.offsetFetch) { s in
            OffsetFetchResponse(
                throttleTimeMs: s.since(3, 2, 0),
                topics: [.init(name: "orders", partitions: [
                    .init(partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: s.since(5, 0, -1), metadata: "meta"),
                    .init(partitionIndex: 1, committedOffset: -1, metadata: ""),
                    .init(partitionIndex: 2, committedOffset: -1, metadata: nil, errorCode: 3),
                ])],
                errorCode: s.since(2, KafkaErrorCode.coordinatorLoadInProgress.rawValue, 0))
        }
    }

    @Test func findCoordinator() throws {
        try checkWireRequest(KafkaRequest.findCoordinator) { s in
            FindCoordinatorRequest(key: "g1", keyType: s.since(1, 1, 0))
        }
        try checkWireResponse(KafkaResponse.findCoordinator) { s in
            FindCoordinatorResponse(throttleTimeMs: s.since(1, 9, 0), errorCode: 0, errorMessage: s.since(1, "msg", nil),
                                    nodeId: 1, host: "localhost", port: 9092)
        }
    }

    @Test func joinGroup() throws {
        try checkWireRequest(KafkaRequest.joinGroup) { s in
            JoinGroupRequest(groupId: "g1", sessionTimeoutMs: 45_000, rebalanceTimeoutMs: s.since(1, 300_000, -1), memberId: "",
                             groupInstanceId: s.since(5, "static-1", nil), protocolType: "consumer",
                             protocols: [.init(name: "range", metadata: wireBytes([0, 1, 0, 0, 0, 1])),
                                         .init(name: "roundrobin", metadata: ByteBuffer())])
        }
        try checkWireResponse(KafkaResponse.joinGroup) { s in
            JoinGroupResponse(throttleTimeMs: s.since(2, 1, 0), errorCode: 0, generationId: 2, protocolName: "range",
                              leader: "m-1", memberId: "m-1",
                              members: [.init(memberId: "m-1", groupInstanceId: s.since(5, "static-1", nil), metadata: wireBytes([9, 9])),
                                        .init(memberId: "m-2", metadata: ByteBuffer())])
        }
    }

    @Test func heartbeat() throws {
        try checkWireRequest(KafkaRequest.heartbeat) { s in
            HeartbeatRequest(groupId: "g1", generationId: 2, memberId: "m-1", groupInstanceId: s.since(3, "static-1", nil))
        }
        try checkWireResponse(KafkaResponse.heartbeat) { s in
            HeartbeatResponse(throttleTimeMs: s.since(1, 4, 0), errorCode: KafkaErrorCode.rebalanceInProgress.rawValue)
        }
    }

    @Test func leaveGroup() throws {
        try checkWireRequest(KafkaRequest.leaveGroup) { s in
            LeaveGroupRequest(groupId: "g1", memberId: s.within(0...2, "m-1", ""),
                              members: s.since(3, [.init(memberId: "m-1"), .init(memberId: "m-2", groupInstanceId: "static-2")], []))
        }
        try checkWireResponse(KafkaResponse.leaveGroup) { s in
            LeaveGroupResponse(throttleTimeMs: s.since(1, 2, 0), errorCode: 0,
                               members: s.since(3, [.init(memberId: "m-1"), .init(memberId: "m-9", errorCode: 25)], []))
        }
    }

    @Test func syncGroup() throws {
        try checkWireRequest(KafkaRequest.syncGroup) { s in
            SyncGroupRequest(groupId: "g1", generationId: 2, memberId: "m-1", groupInstanceId: s.since(3, "static-1", nil),
                             assignments: [.init(memberId: "m-1", assignment: wireBytes([0, 0, 0, 0, 0, 1])),
                                           .init(memberId: "m-2", assignment: ByteBuffer())])
        }
        try checkWireResponse(KafkaResponse.syncGroup) { s in
            SyncGroupResponse(throttleTimeMs: s.since(1, 3, 0), errorCode: 0, assignment: wireBytes([0, 0, 0, 0, 0, 1]))
        }
    }

    @Test func describeGroups() throws {
        try checkWireRequest(KafkaRequest.describeGroups) { s in
            DescribeGroupsRequest(groups: ["g1", "g2"], includeAuthorizedOperations: s.since(3, true, false))
        }
        try checkWireResponse(KafkaResponse.describeGroups) { s in
            DescribeGroupsResponse(throttleTimeMs: s.since(1, 5, 0), groups: [
                .init(errorCode: 0, groupId: "g1", groupState: "Stable", protocolType: "consumer", protocolData: "range",
                      members: [.init(memberId: "m-1", groupInstanceId: s.since(4, "static-1", nil), clientId: "c",
                                      clientHost: "/127.0.0.1", memberMetadata: wireBytes([1]), memberAssignment: wireBytes([2, 3]))],
                      authorizedOperations: s.since(3, 0x1F, Int32.min)),
            ])
        }
    }

    @Test func listGroups() throws {
        try checkWireRequest(KafkaRequest.listGroups) { _ in ListGroupsRequest() }
        try checkWireResponse(KafkaResponse.listGroups) { s in
            ListGroupsResponse(throttleTimeMs: s.since(1, 6, 0), errorCode: 0,
                               groups: [.init(groupId: "g1", protocolType: "consumer"), .init(groupId: "g2", protocolType: "")])
        }
    }

    @Test func createTopics() throws {
        try checkWireRequest(KafkaRequest.createTopics) { s in
            CreateTopicsRequest(topics: [
                .init(name: "orders", numPartitions: 3, replicationFactor: 1,
                      configs: [.init(name: "cleanup.policy", value: "delete"), .init(name: "x", value: nil)]),
                .init(name: "manual", numPartitions: -1, replicationFactor: -1,
                      assignments: [.init(partitionIndex: 0, brokerIds: [1]), .init(partitionIndex: 1, brokerIds: [1, 2])]),
            ], timeoutMs: 30_000, validateOnly: s.since(1, true, false))
        }
        try checkWireResponse(KafkaResponse.createTopics) { s in
            CreateTopicsResponse(throttleTimeMs: s.since(2, 4, 0), topics: [
                .init(name: "orders"),
                .init(name: "orders2", errorCode: KafkaErrorCode.topicAlreadyExists.rawValue,
                      errorMessage: s.since(1, "Topic 'orders2' already exists.", nil)),
            ])
        }
    }

    @Test func deleteTopics() throws {
        try checkWireRequest(KafkaRequest.deleteTopics) { _ in
            DeleteTopicsRequest(topicNames: ["a", "b"], timeoutMs: 1000)
        }
        try checkWireResponse(KafkaResponse.deleteTopics) { s in
            DeleteTopicsResponse(throttleTimeMs: s.since(1, 7, 0), responses: [.init(name: "a"), .init(name: "b", errorCode: 3)])
        }
    }

    @Test func initProducerId() throws {
        try checkWireRequest(KafkaRequest.initProducerId) { _ in
            InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1)
        }
        try checkWireRequest(KafkaRequest.initProducerId) { _ in
            InitProducerIdRequest(transactionalId: "tx-1", transactionTimeoutMs: 60_000)
        }
        try checkWireResponse(KafkaResponse.initProducerId) { _ in
            InitProducerIdResponse(throttleTimeMs: 0, errorCode: 0, producerId: 4_000_000_001, producerEpoch: 0)
        }
    }

    /// Nullable forms not covered by the samples above.
    @Test func nullableTopicLists() throws {
        // Metadata: null = all topics from v1; v0 cannot send null and uses [] instead.
        for version in ApiKey.metadata.supportedVersions {
            var wire = wireEncoded(MetadataRequest(topics: nil), version: version)
            let decoded = try MetadataRequest.decode(from: &wire, version: version)
            #expect(decoded.topics == (version == 0 ? [] : nil))
            #expect(decoded.requestsAllTopics(version: version))
            #expect(MetadataRequest(topics: []).requestsAllTopics(version: version) == (version == 0))
        }
        // OffsetFetch: null = all committed partitions from v2; v1 writes [].
        for version in ApiKey.offsetFetch.supportedVersions {
            var wire = wireEncoded(OffsetFetchRequest(groupId: "g", topics: nil), version: version)
            #expect(try OffsetFetchRequest.decode(from: &wire, version: version).topics == (version < 2 ? [] : nil))
        }
    }

    @Test func leaveGroupMemberIdsAcrossVersions() {
        let old = LeaveGroupRequest(groupId: "g", memberId: "m-1")
        #expect(old.leavingMemberIds(version: 1) == ["m-1"])
        let new = LeaveGroupRequest(groupId: "g", members: [.init(memberId: "a"), .init(memberId: "b")])
        #expect(new.leavingMemberIds(version: 3) == ["a", "b"])
    }

    @Test func produceAcksZeroExpectsNoResponse() {
        #expect(!KafkaRequest.produce(ProduceRequest(acks: 0, timeoutMs: 1, topics: [])).expectsResponse)
        #expect(KafkaRequest.produce(ProduceRequest(acks: 1, timeoutMs: 1, topics: [])).expectsResponse)
        #expect(KafkaRequest.listGroups(ListGroupsRequest()).expectsResponse)
    }

    @Test func recordsAreZeroCopySlices() throws {
        let request = ProduceRequest(acks: 1, timeoutMs: 1, topics: [.init(name: "t", partitions: [.init(index: 0, records: recordsB)])])
        var wire = wireEncoded(request, version: 8)
        let decoded = try ProduceRequest.decode(from: &wire, version: 8)
        let records = try #require(decoded.topics.first?.partitions.first?.records)
        #expect(records == recordsB)
        // A slice shares storage with the request buffer: no copy of record data.
        wire.moveReaderIndex(to: 0)
        let sliceStart = records.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let wholeStart = wire.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(sliceStart == wholeStart + UInt(wire.writerIndex - recordsB.readableBytes))
    }
}
