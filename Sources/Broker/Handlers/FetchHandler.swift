import KafkaWire
import LogStore
import NIOCore

extension BrokerRequestHandler {
    /// Whole batches from each requested partition (every one of them appears in the answer, empty
    /// ones with 0-length records), at least one batch for the first partition with data (KIP-74),
    /// long-polling until `min_bytes` are available or `max_wait_ms` passes. Record bytes go out as
    /// file regions of the segment files (sendfile), never copied.
    func fetch(_ request: FetchRequest, _ context: RequestContext) async -> Answer {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(max(0, request.maxWaitMs)))
        let minBytes = max(1, Int(request.minBytes))
        // Only appends to these partitions wake this fetch.
        let watched = request.topics.flatMap { topic in
            topic.partitions.map { PartitionKey(topic: topic.topic, partition: $0.partition) }
        }
        while true {
            let generation = appendSignal.generation
            let collected = collect(request)
            let now = clock.now
            if collected.bytes >= minBytes || collected.hasError || now >= deadline {
                metrics.bytesOut.increment(by: Int64(collected.bytes))
                metrics.recordsOut.increment(by: collected.offsets)
                var payload = context.version < 4
                    ? encodeLegacyFetchResponse(collected, version: context.version)
                    : encodeFetchResponse(collected, version: context.version)
                payload.failed = payload.failed || collected.hasError
                return .parts(payload)
            }
            await appendSignal.wait(after: generation, on: watched, timeout: deadline - now)
        }
    }

    struct CollectedPartition {
        var response: FetchResponse.Partition
        var regions: [SegmentRegion]
        var fetchOffset: Int64 = 0
        var maxBytes = 0
    }

    struct CollectedFetch {
        var topics: [(name: String, partitions: [CollectedPartition])] = []
        var bytes = 0
        /// Offsets covered by the batches returned: what a consumer advances by.
        var offsets: Int64 = 0
        var hasError = false
    }

    private func collect(_ request: FetchRequest) -> CollectedFetch {
        var result = CollectedFetch()
        var remaining = Int(request.maxBytes <= 0 ? Int32.max : request.maxBytes)
        for topicRequest in request.topics {
            var partitions: [CollectedPartition] = []
            for partitionRequest in topicRequest.partitions {
                var response = FetchResponse.Partition(partitionIndex: partitionRequest.partition, highWatermark: -1,
                                                       lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [],
                                                       records: ByteBuffer())
                guard let partition = topics.partition(topicRequest.topic, partitionRequest.partition) else {
                    response.errorCode = KafkaErrorCode.unknownTopicOrPartition.rawValue
                    result.hasError = true
                    partitions.append(.init(response: response, regions: []))
                    continue
                }
                let log = partition.log
                let end = log.logEndOffset
                response.highWatermark = end
                response.lastStableOffset = end
                response.logStartOffset = log.logStartOffset
                var regions: [SegmentRegion] = []
                let limit = min(Int(max(0, partitionRequest.partitionMaxBytes)), remaining)
                // Only the first partition with data may exceed the limits (KIP-74); later ones stop at them.
                if limit > 0 || result.bytes == 0 {
                    do {
                        let read = try log.read(from: partitionRequest.fetchOffset, maxBytes: max(limit, 1))
                        if result.bytes == 0 || read.byteCount <= remaining {
                            regions = read.regions
                            if let last = read.regions.last {
                                result.offsets += max(0, last.endOffset - max(partitionRequest.fetchOffset, read.regions[0].firstOffset))
                            }
                            result.bytes += read.byteCount
                            remaining -= read.byteCount
                        }
                    } catch LogStoreError.offsetOutOfRange {
                        response.errorCode = KafkaErrorCode.offsetOutOfRange.rawValue
                        result.hasError = true
                    } catch {
                        logger.error("fetch read failed", metadata: ["topic": "\(topicRequest.topic)",
                                                                     "partition": "\(partitionRequest.partition)", "error": "\(error)"])
                        response.errorCode = KafkaErrorCode.kafkaStorageError.rawValue
                        result.hasError = true
                    }
                }
                partitions.append(.init(response: response, regions: regions, fetchOffset: partitionRequest.fetchOffset,
                                        maxBytes: Int(max(0, partitionRequest.partitionMaxBytes))))
            }
            result.topics.append((topicRequest.topic, partitions))
        }
        return result
    }

    /// Encodes the response around the file regions: each partition is encoded with empty records,
    /// whose 4-byte length is then patched to the regions' total and followed by the regions.
    private func encodeFetchResponse(_ collected: CollectedFetch, version: Int16) -> ResponsePayload {
        var parts: [ResponsePayload.Part] = []
        var buffer = allocator.buffer(capacity: 512)
        if version >= 1 { buffer.writeKafkaInt32(0) }  // throttle_time_ms
        if version >= 7 {
            buffer.writeKafkaInt16(0)  // error_code
            buffer.writeKafkaInt32(0)  // session_id: no fetch sessions
        }
        buffer.writeKafkaInt32(Int32(collected.topics.count))
        for topic in collected.topics {
            buffer.writeKafkaString(topic.name)
            buffer.writeKafkaInt32(Int32(topic.partitions.count))
            for partition in topic.partitions {
                partition.response.encode(into: &buffer, version: version)
                let length = partition.regions.reduce(0) { $0 + $1.length }
                guard length > 0 else { continue }
                buffer.setInteger(Int32(length), at: buffer.writerIndex - 4)
                parts.append(.bytes(buffer))
                buffer = allocator.buffer(capacity: 256)
                for region in partition.regions { parts.append(.file(region)) }
            }
        }
        if buffer.readableBytes > 0 { parts.append(.bytes(buffer)) }
        return ResponsePayload(parts: parts)
    }

    /// Fetch v0–v3 can only carry message sets (magic 0 for v0–v1, 1 for v2–v3): the batches read are
    /// converted down, so their bytes are copied instead of sent from the file, as Kafka did for old
    /// consumers. A partition whose batches cannot be decoded answers CORRUPT_MESSAGE (or
    /// UNSUPPORTED_COMPRESSION_TYPE for a codec the broker does not inflate).
    private func encodeLegacyFetchResponse(_ collected: CollectedFetch, version: Int16) -> ResponsePayload {
        let magic: Int8 = version < 2 ? 0 : 1
        let decoder = RecordBatch.Decoder()
        var failed = false
        let topics = collected.topics.map { topic in
            FetchResponse.Topic(topic: topic.name, partitions: topic.partitions.map { partition in
                var response = partition.response
                guard !partition.regions.isEmpty else { return response }
                do {
                    var bytes: [UInt8] = []
                    for region in partition.regions { bytes += try region.readBytes() }
                    response.records = try LegacyMessageSet.messageSet(
                        fromBatches: ByteBuffer(bytes: bytes), magic: magic, fetchOffset: partition.fetchOffset,
                        maxBytes: partition.maxBytes, decoder: decoder)
                } catch let error as RecordBatchError {
                    if case .unsupportedCompression = error.kind {
                        response.errorCode = KafkaErrorCode.unsupportedCompressionType.rawValue
                    } else {
                        response.errorCode = KafkaErrorCode.corruptMessage.rawValue
                    }
                    logger.error("down-converting fetched batches failed", metadata: ["topic": "\(topic.name)", "error": "\(error)"])
                    failed = true
                } catch {
                    response.errorCode = KafkaErrorCode.kafkaStorageError.rawValue
                    logger.error("fetch read failed", metadata: ["topic": "\(topic.name)", "error": "\(error)"])
                    failed = true
                }
                return response
            })
        }
        var buffer = allocator.buffer(capacity: 512)
        FetchResponse(topics: topics).encode(into: &buffer, version: version)
        return ResponsePayload(parts: [.bytes(buffer)], failed: failed)
    }
}
