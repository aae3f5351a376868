import KafkaWire
import NIOCore

// The sender: one task that takes ready batches, writes one Produce request per leader in sequence
// order, and settles, retries or fails each batch from its answer (see the ordering rules on BrokerProducer).
extension BrokerProducer {
    // MARK: The sender

    func startSender() {
        guard sender == nil else { return }
        sender = Task { await self.runSender() }
    }

    /// Wakes the sender; a wake-up that arrives before the sender parks is remembered, not lost.
    func wake() {
        if let waiter = wakeUp {
            wakeUp = nil
            waiter.resume()
        } else {
            wakePending = true
        }
    }

    /// Writes ready batches, grouped by leader, and sleeps until the next linger deadline or a
    /// wake-up (a full batch, a new batch, an answer). Answers are handled as they arrive.
    func runSender() async {
        while !Task.isCancelled {
            let ready = takeReadyBatches()
            if !ready.isEmpty {
                await dispatch(ready)
                continue
            }
            var nextDeadline: ContinuousClock.Instant? = nil
            for state in topics.values {
                for partition in state.partitions
                where partition.backingOff == 0 && partition.inFlight < maxInFlight && !partition.drainBeforeSwitch {
                    guard let first = partition.firstEnqueued, partition.queued.isEmpty else { continue }
                    let due = first + config.linger
                    if nextDeadline.map({ due < $0 }) ?? true { nextDeadline = due }
                }
            }
            if bufferedBytes == 0 { resumeFlushWaiters() }
            if closed && bufferedBytes == 0 { break }
            await park(until: nextDeadline)
        }
        sender = nil
    }

    /// Sleeps until `wake()` or the deadline, whichever is first. A wake that arrived while the
    /// sender was busy ends the park at once; a timer of an earlier park can never end a later one
    /// (its generation no longer matches), so an idle producer parks without a deadline and uses
    /// no CPU at all.
    func park(until deadline: ContinuousClock.Instant?) async {
        if wakePending {
            wakePending = false
            return
        }
        parkGeneration &+= 1
        let generation = parkGeneration
        let timer: Task<Void, Never>? = deadline.map { deadline in
            Task { [weak self] in
                guard (try? await Task.sleep(until: deadline, clock: ContinuousClock())) != nil else { return }
                await self?.deadlinePassed(generation: generation)
            }
        }
        await withCheckedContinuation { continuation in
            wakeUp = continuation
        }
        timer?.cancel()
    }

    func deadlinePassed(generation: UInt64) {
        guard generation == parkGeneration, let waiter = wakeUp else { return }
        wakeUp = nil
        waiter.resume()
    }

    func resumeFlushWaiters() {
        let waiters = flushWaiters
        flushWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    func releaseSpace() {
        let waiters = spaceWaiters
        spaceWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        if bufferedBytes == 0 { resumeFlushWaiters() }
    }

    struct Outgoing: Sendable {
        var topic: String
        var partition: Int32
        var batch: SealedBatch
        /// Written to a connection (counted in the partition's `written`).
        var written = false
    }

    /// At most one batch per partition (a Produce request carries one batch per partition): the
    /// oldest sealed one, or the open one once full, past its linger, flushed or closing. None
    /// while the partition has `maxInFlight` batches out or a failed batch is backing off.
    func takeReadyBatches() -> [Outgoing] {
        let now = clock.now
        let hurry = closed || !flushWaiters.isEmpty
        var ready: [Outgoing] = []
        for (name, state) in topics {
            for (index, partition) in state.partitions.enumerated() {
                guard partition.backingOff == 0, partition.inFlight < maxInFlight, !partition.drainBeforeSwitch else { continue }
                // A batch that failed goes out again only once everything sent before it came back,
                // and retried batches go one at a time until the partition has recovered.
                if partition.inFlight > 0, let head = partition.queued.first, head.attempts > 0 { continue }
                if partition.queued.isEmpty, let first = partition.firstEnqueued, hurry || now >= first + config.linger {
                    seal(partition, topic: state, partition: Int32(index))
                }
                guard !partition.queued.isEmpty else { continue }
                let batch = partition.queued.removeFirst()
                partition.inFlight += 1
                ready.append(Outgoing(topic: name, partition: Int32(index), batch: batch))
            }
        }
        return ready
    }

    /// Writes one Produce request per leader, in order, and handles each answer in its own task.
    func dispatch(_ batches: [Outgoing]) async {
        var byLeader: [ClusterMetadata.Node: [Outgoing]] = [:]
        for outgoing in batches {
            do {
                byLeader[try await cluster.leader(topic: outgoing.topic, partition: outgoing.partition), default: []].append(outgoing)
            } catch {
                completed([(outgoing, .retry(error))])
            }
        }
        for (node, candidates) in byLeader {
            let connection: BrokerConnection
            do {
                connection = try await cluster.connection(to: node)
            } catch {
                completed(candidates.map { ($0, .retry(error)) })
                continue
            }
            // From here to the write, no suspension: nothing else is written to the partitions meanwhile.
            var entries = holdBack(candidates, switchingTo: connection)
            guard !entries.isEmpty else { continue }
            var topics: [String: [ProduceRequest.Partition]] = [:]
            var size = 256
            for entry in entries {
                topics[entry.topic, default: []].append(.init(index: entry.partition, records: entry.batch.bytes))
                size += entry.batch.bytes.readableBytes + entry.topic.utf8.count + 16
            }
            let request = ProduceRequest(acks: config.acks.rawValue, timeoutMs: Int32(config.requestTimeout.components.seconds * 1000),
                                         topics: topics.map { .init(name: $0.key, partitions: $0.value) })
            let response: EventLoopFuture<KafkaResponse>
            do {
                if config.acks == .none {
                    try connection.sendWithoutResponse(.produce(request), frameCapacity: size)
                    completed(entries.map { ($0, .acknowledged(baseOffset: -1)) })
                    continue
                }
                response = try connection.start(.produce(request), timeout: config.requestTimeout, frameCapacity: size)
            } catch {
                completed(entries.map { ($0, .retry(error)) })
                continue
            }
            for index in entries.indices {
                guard let partition = self.topics[entries[index].topic]?.partitions[Int(entries[index].partition)] else { continue }
                partition.written.append(entries[index].batch.ordinal)
                partition.writtenTo = connection
                entries[index].written = true
            }
            Task {
                let outcomes: [(Outgoing, BatchResult)]
                do {
                    outcomes = Self.outcomes(of: try await response.get(), for: entries, node: node)
                } catch {
                    // The connection failed: whether the broker appended is unknown, so retry with the
                    // same sequence numbers; idempotence turns a second append into "duplicate, here
                    // is the offset".
                    outcomes = entries.map { ($0, .retry(error)) }
                }
                self.completed(outcomes)
            }
        }
    }

    /// The entries that may be written to `connection`: every earlier unsettled batch of their
    /// partition is out on this same connection. The others go back into their partition's queue,
    /// untouched (not a retry): an earlier batch is out on another connection (the partition then
    /// sends nothing until those are answered), or it failed while this one was on its way here
    /// and is resent first.
    func holdBack(_ entries: [Outgoing], switchingTo connection: BrokerConnection) -> [Outgoing] {
        var writable: [Outgoing] = []
        for entry in entries {
            guard let partition = topics[entry.topic]?.partitions[Int(entry.partition)] else {
                writable.append(entry)
                continue
            }
            let ordinal = entry.batch.ordinal
            let earlierUnsettled = partition.unsettled.prefix { $0 < ordinal }.count
            let earlierWritten = partition.written.count(where: { $0 < ordinal })
            if earlierUnsettled == earlierWritten && (partition.written.isEmpty || partition.writtenTo === connection) {
                writable.append(entry)
                continue
            }
            partition.inFlight -= 1
            // Only answers to written batches lift it; a failed batch is queued or backing off and
            // goes out first by itself.
            if !partition.written.isEmpty { partition.drainBeforeSwitch = true }
            let position = partition.queued.firstIndex { $0.ordinal > entry.batch.ordinal } ?? partition.queued.endIndex
            partition.queued.insert(entry.batch, at: position)
        }
        return writable
    }

    enum BatchResult {
        case acknowledged(baseOffset: Int64)
        case retry(Error)
        case failed(Error)
        /// OUT_OF_ORDER_SEQUENCE_NUMBER: retriable behind a failed batch of the same partition.
        case outOfOrder(Error)
    }

    static func outcomes(of response: KafkaResponse, for entries: [Outgoing], node: ClusterMetadata.Node) -> [(Outgoing, BatchResult)] {
        guard case .produce(let response) = response else {
            return entries.map { ($0, .failed(BrokerClientError.unsupportedApi(.produce, address: node.address))) }
        }
        var answers: [String: [Int32: ProduceResponse.Partition]] = [:]
        for topic in response.topics {
            for partition in topic.partitions { answers[topic.name, default: [:]][partition.index] = partition }
        }
        return entries.map { entry in
            guard let answer = answers[entry.topic]?[entry.partition] else {
                return (entry, .retry(BrokerClientError.broker(.unknownServerError, context: "no answer for \(entry.topic)-\(entry.partition)")))
            }
            if answer.errorCode == 0 { return (entry, .acknowledged(baseOffset: answer.baseOffset)) }
            let code = KafkaErrorCode(rawValue: answer.errorCode) ?? .unknownServerError
            let error = BrokerClientError.broker(code, context: "producing to \(entry.topic)-\(entry.partition)"
                                                 + (answer.errorMessage.map { ": \($0)" } ?? ""))
            if code == .outOfOrderSequenceNumber { return (entry, .outOfOrder(error)) }
            return (entry, error.isRetriable ? .retry(error) : .failed(error))
        }
    }

    /// Settles acknowledged and failed batches; retriable ones go back (after one metadata refresh
    /// and the retry backoff) in sequence order, ahead of anything sealed later. The partition
    /// sends nothing while one of its batches is backing off.
    func completed(_ outcomes: [(Outgoing, BatchResult)]) {
        var retries: [Outgoing] = []
        for (outgoing, result) in outcomes {
            guard let partition = topics[outgoing.topic]?.partitions[Int(outgoing.partition)] else { continue }
            partition.inFlight -= 1
            if outgoing.written {
                if let position = partition.written.firstIndex(of: outgoing.batch.ordinal) { partition.written.remove(at: position) }
                if partition.written.isEmpty {
                    partition.writtenTo = nil
                    partition.drainBeforeSwitch = false
                }
            }
            let batch = outgoing.batch
            var outcome = result
            if case .outOfOrder(let error) = result {
                // Behind a batch that failed and is not settled yet, "out of order" only means this
                // one was written first: resend it after that one. Otherwise it is final.
                let behindFailure = (partition.unsettled.first ?? batch.ordinal) < batch.ordinal
                outcome = behindFailure ? .retry(error) : .failed(error)
            }
            if case .retry(let error) = outcome {
                if clock.now - batch.firstEnqueued > config.deliveryTimeout {
                    outcome = .failed(BrokerClientError.timedOut(operation: "delivery (\(error))",
                                                                 address: "\(outgoing.topic)-\(outgoing.partition)"))
                } else if !config.idempotent && config.acks == .none {
                    outcome = .failed(error)
                }
            }
            switch outcome {
            case .retry, .outOfOrder:
                retriedBatches += 1
                partition.backingOff += 1
                retries.append(outgoing)
                continue
            case .acknowledged(let baseOffset):
                settle(batch.settles, topic: outgoing.topic, partition: outgoing.partition, result: .success(baseOffset))
            case .failed(let error):
                settle(batch.settles, topic: outgoing.topic, partition: outgoing.partition, result: .failure(error))
            }
            if let position = partition.unsettled.firstIndex(of: batch.ordinal) { partition.unsettled.remove(at: position) }
            bufferedBytes -= batch.accounted
        }
        releaseSpace()
        if !retries.isEmpty {
            Task { await self.requeue(retries) }
        }
        wake()
    }

    func requeue(_ retries: [Outgoing]) async {
        for topic in Set(retries.map(\.topic)) {
            if let metadata = try? await cluster.refreshMetadata(topics: [topic]), let info = metadata.topics[topic],
               info.error == nil, !info.partitions.isEmpty {
                topics[topic]?.grow(to: Int32(info.partitions.count), capacityHint: Self.initialBatchCapacity)
            }
        }
        try? await Task.sleep(for: config.retryBackoff)
        for outgoing in retries {
            guard let partition = topics[outgoing.topic]?.partitions[Int(outgoing.partition)] else { continue }
            var batch = outgoing.batch
            batch.attempts += 1
            partition.backingOff -= 1
            let position = partition.queued.firstIndex { $0.ordinal > batch.ordinal } ?? partition.queued.endIndex
            partition.queued.insert(batch, at: position)
        }
        wake()
    }

    /// Batches of a partition written to a connection and not answered yet (tests).
    func writtenBatches(topic: String, partition: Int32) -> Int {
        topics[topic]?.partitions[Int(partition)].written.count ?? 0
    }

}
