import KafkaWire
import LogStore
import NIOCore

extension BrokerRequestHandler {
    /// Validates each partition's batch (one RecordBatch v2 per partition, CRC-32C, size, producer
    /// sequence), appends it without decompressing, and answers after the append (acks=1), after an
    /// fsync covering it (acks=all, or a topic with flush.messages=1), or not at all (acks=0).
    /// v0–v2 carry message sets of magic 0/1, converted first into one RecordBatch v2 each: the log
    /// keeps one format.
    func produce(_ request: ProduceRequest, _ context: RequestContext) async -> Answer {
        var responses: [ProduceResponse.Topic] = []
        // A mark of nil: everything appended so far (a duplicate's original is in there somewhere).
        var durabilityWaits: [(log: PartitionLog, mark: Int64?, topic: Int, partition: Int)] = []
        var appendedTo: [PartitionKey] = []
        for topicRequest in request.topics {
            var partitions: [ProduceResponse.Partition] = []
            for partitionRequest in topicRequest.partitions {
                var converted = partitionRequest
                let conversionFailure = context.version < 3 ? upConvert(&converted) : nil
                let outcome = conversionFailure ?? appendOne(topic: topicRequest.name, converted, context: context)
                switch outcome {
                case .appended(let result, let log):
                    appendedTo.append(PartitionKey(topic: topicRequest.name, partition: partitionRequest.index))
                    metrics.bytesIn.increment(by: Int64(result.byteCount))
                    metrics.recordsIn.increment(by: result.lastOffset - result.baseOffset + 1)
                    if request.acks == -1 || log.config.flushPolicy == .everyAppend {
                        durabilityWaits.append((log, result.durabilityMark, responses.count, partitions.count))
                    }
                case .duplicate:
                    // A retry of a batch whose first answer the client never saw: that first append may still
                    // wait for its fsync, and acks=all promises the batch is on disk, so the retry waits too.
                    if let log = topics.partition(topicRequest.name, partitionRequest.index)?.log,
                       request.acks == -1 || log.config.flushPolicy == .everyAppend {
                        durabilityWaits.append((log, nil, responses.count, partitions.count))
                    }
                case .failed:
                    break
                }
                partitions.append(outcome.response(index: partitionRequest.index))
            }
            responses.append(.init(name: topicRequest.name, partitions: partitions))
        }
        if !appendedTo.isEmpty { appendSignal.notify(appendedTo) }
        let acks = request.acks
        guard !durabilityWaits.isEmpty else {
            return acks == 0 ? .none : .message(.produce(ProduceResponse(topics: responses)))
        }
        // The appends are done, in order; only the answer waits for the fsyncs. The connection goes on
        // with its next request meanwhile (a client pipelining acks=all batches gets them group-committed
        // instead of one fsync per request), and answers stay in request order.
        let waits = durabilityWaits
        return .later { [responses] in
            var responses = responses
            // Wait for the fsyncs of every partition at once; group commit shares them with other requests.
            let failures = await withTaskGroup(of: (Int, Int)?.self) { group in
                for wait in waits {
                    group.addTask {
                        do { try await wait.log.flush(through: wait.mark); return nil } catch { return (wait.topic, wait.partition) }
                    }
                }
                var failed: [(Int, Int)] = []
                for await failure in group { if let failure { failed.append(failure) } }
                return failed
            }
            for (topic, partition) in failures {
                responses[topic].partitions[partition].errorCode = KafkaErrorCode.kafkaStorageError.rawValue
                responses[topic].partitions[partition].baseOffset = -1
            }
            return acks == 0 ? .none : .message(.produce(ProduceResponse(topics: responses)))
        }
    }

    /// Replaces a v0–v2 partition's message set by one RecordBatch v2 (`LegacyMessageSet`); nil when
    /// done, or the failure to answer.
    private func upConvert(_ request: inout ProduceRequest.Partition) -> PartitionAppendOutcome? {
        guard let records = request.records, records.readableBytes > 0 else { return nil }
        do {
            request.records = try LegacyMessageSet.recordBatch(fromMessageSet: records).batch
            return nil
        } catch {
            let code: KafkaErrorCode = switch error.kind {
            case .unsupportedCompression: .unsupportedCompressionType
            case .unsupportedMagic: .unsupportedForMessageFormat
            case .messageCRCMismatch, .corruptGzipRecords, .corruptCompressedRecords: .corruptMessage
            default: .invalidRecord
            }
            return .failed(code, "message set: \(error)")
        }
    }

    enum PartitionAppendOutcome {
        case appended(AppendResult, PartitionLog)
        case duplicate(baseOffset: Int64, logStartOffset: Int64)
        case failed(KafkaErrorCode, String?)

        func response(index: Int32) -> ProduceResponse.Partition {
            switch self {
            case .appended(let result, let log):
                return .init(index: index, baseOffset: result.baseOffset, logStartOffset: log.logStartOffset)
            case .duplicate(let baseOffset, let logStartOffset):
                return .init(index: index, baseOffset: baseOffset, logStartOffset: logStartOffset)
            case .failed(let code, let message):
                return .init(index: index, errorCode: code.rawValue, baseOffset: -1, errorMessage: message)
            }
        }
    }

    private func appendOne(topic: String, _ request: ProduceRequest.Partition, context: RequestContext) -> PartitionAppendOutcome {
        guard let partition = topics.partition(topic, request.index) else {
            return .failed(.unknownTopicOrPartition, "unknown topic or partition \(topic)-\(request.index)")
        }
        guard var records = request.records, records.readableBytes > 0 else {
            return .failed(.invalidRecord, "no record batch")
        }
        let size = records.readableBytes
        guard size <= partition.log.config.maxBatchBytes else {
            return .failed(.messageTooLarge, "batch of \(size) bytes exceeds max.message.bytes \(partition.log.config.maxBatchBytes)")
        }
        guard size >= RecordBatchHeader.size else { return .failed(.corruptMessage, "batch shorter than its header") }
        let header = records.withUnsafeReadableBytes { RecordBatchHeader($0) }
        guard header.magic == 2 else {
            return .failed(.unsupportedForMessageFormat, "magic \(header.magic) is not supported; use message format v2")
        }
        guard header.totalSize == size else {
            // Kafka allows exactly one batch per partition in a v3+ request.
            return header.totalSize < size && header.batchLength >= RecordBatchHeader.minimumBatchLength
                ? .failed(.invalidRecord, "more than one record batch for \(topic)-\(request.index)")
                : .failed(.corruptMessage, "batchLength does not match the records size")
        }
        if header.attributes & 0x20 != 0 { return .failed(.invalidRecord, "control batches cannot be produced") }
        if header.producerId >= 0 && header.baseSequence < 0 {
            return .failed(.invalidRecord, "idempotent batch without a base sequence")
        }
        let result: Result<Partition.AppendOutcome, LogStoreError> = records.withUnsafeMutableReadableBytes { raw in
            Result { () throws(LogStoreError) in
                try partition.append(raw, producerId: header.producerId, producerEpoch: header.producerEpoch,
                                     baseSequence: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta)
            }
        }
        switch result {
        case .success(.appended(let appended)):
            if header.producerId >= 0 {
                logger.debug("idempotent batch appended",
                             metadata: ["topic": "\(topic)", "partition": "\(request.index)", "producer_id": "\(header.producerId)",
                                        "sequence": "\(header.baseSequence)", "records": "\(header.lastOffsetDelta + 1)",
                                        "offset": "\(appended.baseOffset)", "connection": "\(context.connection.id)"])
            }
            return .appended(appended, partition.log)
        case .success(.duplicate(let baseOffset)):
            logger.debug("duplicate idempotent batch answered with its original offset",
                         metadata: ["topic": "\(topic)", "partition": "\(request.index)", "producer_id": "\(header.producerId)",
                                    "sequence": "\(header.baseSequence)", "offset": "\(baseOffset)",
                                    "connection": "\(context.connection.id)"])
            return .duplicate(baseOffset: baseOffset, logStartOffset: partition.log.logStartOffset)
        case .success(.staleEpoch):
            return .failed(.invalidProducerEpoch, "producer epoch \(header.producerEpoch) is older than the current one")
        case .success(.outOfOrderSequence):
            logger.debug("idempotent batch out of order",
                         metadata: ["topic": "\(topic)", "partition": "\(request.index)", "producer_id": "\(header.producerId)",
                                    "sequence": "\(header.baseSequence)", "connection": "\(context.connection.id)"])
            return .failed(.outOfOrderSequenceNumber, "sequence \(header.baseSequence) is out of order for producer \(header.producerId)")
        case .failure(let error):
            return .failed(Self.code(for: error), "\(error)")
        }
    }

    static func code(for error: LogStoreError) -> KafkaErrorCode {
        switch error {
        case .invalidBatch(.badRecordCount, _), .invalidBatch(.empty, _): .invalidRecord
        case .invalidBatch: .corruptMessage
        case .batchTooLarge: .messageTooLarge
        case .offsetOutOfRange: .offsetOutOfRange
        case .noSpace, .io, .logFailed, .closed, .directoryLocked, .invalidConfiguration: .kafkaStorageError
        }
    }
}
