import KafkaWire
import Synchronization

// Delivery: how the callers of `send` get their results back once a batch is acknowledged or fails.
extension BrokerProducer {
    /// How a run of consecutive records of one batch, from one call, is settled.
    enum Settle: Sendable {
        /// One record from `send(topic:key:value:...)`.
        case single(SingleDelivery)
        /// Records `first..<first + count` of a `send(topic:records:)` chunk.
        case chunk(ChunkWaiter, first: Int, count: Int)
        /// Records sent without waiting: failures go to the `onFireAndForgetError` handlers.
        case fireAndForget(count: Int)

        var count: Int {
            switch self {
            case .single: 1
            case .chunk(_, _, let count), .fireAndForget(let count): count
            }
        }
    }

    /// Collects the outcomes of one `send(topic:records:)` call, which may span several batches, as
    /// ranges, and resumes its caller once every record is settled; the caller turns the ranges
    /// into per-record results off the producer's actor.
    final class ChunkWaiter: Sendable {
        enum Outcome: Sendable {
            case landed(partition: Int32, baseOffset: Int64)
            case failed(any Error)
        }
        struct Segment: Sendable {
            var first: Int
            var count: Int
            var outcome: Outcome
        }
        private struct State {
            var segments: [Segment] = []
            var remaining: Int
            var continuation: CheckedContinuation<[Segment], Never>?
        }
        let topic: String
        let count: Int
        private let state: Mutex<State>

        init(topic: String, count: Int) {
            self.topic = topic
            self.count = count
            state = Mutex(State(remaining: count))
        }

        func wait() async -> [Segment] {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Segment], Never>) in
                let ready = state.withLock { state -> [Segment]? in
                    if state.remaining == 0 { return state.segments }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        /// Settles records `first..<first + count`; each record is settled once (its batch is
        /// acknowledged or failed once).
        func settle(first: Int, count: Int, _ outcome: Outcome) {
            let finished = state.withLock { state -> (CheckedContinuation<[Segment], Never>, [Segment])? in
                state.segments.append(Segment(first: first, count: count, outcome: outcome))
                state.remaining -= count
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state.segments)
            }
            if let (continuation, segments) = finished { continuation.resume(returning: segments) }
        }

        /// Per-record results, in the order the records were given.
        func results(_ segments: [Segment]) -> [Result<RecordMetadata, Error>] {
            var results: [Result<RecordMetadata, Error>] = []
            results.reserveCapacity(count)
            for segment in segments.sorted(by: { $0.first < $1.first }) {
                switch segment.outcome {
                case .landed(let partition, let baseOffset):
                    for index in 0..<segment.count {
                        results.append(.success(RecordMetadata(
                            topic: topic, partition: partition, offset: baseOffset < 0 ? -1 : baseOffset + Int64(index))))
                    }
                case .failed(let error):
                    results.append(contentsOf: repeatElement(.failure(error), count: segment.count))
                }
            }
            return results
        }
    }

    /// Resumes the callers of a batch's records: `result` is the batch's base offset or its error.
    func settle(_ settles: [Settle], topic: String, partition: Int32, result: Result<Int64, Error>) {
        var index: Int64 = 0
        for settle in settles {
            switch (settle, result) {
            case (.single(let delivery), .success(let baseOffset)):
                delivery.resume(.success(RecordMetadata(topic: topic, partition: partition,
                                                        offset: baseOffset < 0 ? -1 : baseOffset + index)))
            case (.single(let delivery), .failure(let error)):
                delivery.resume(.failure(error))
            case (.chunk(let waiter, let first, let count), .success(let baseOffset)):
                waiter.settle(first: first, count: count, .landed(partition: partition, baseOffset: baseOffset < 0 ? -1 : baseOffset + index))
            case (.chunk(let waiter, let first, let count), .failure(let error)):
                waiter.settle(first: first, count: count, .failed(error))
            case (.fireAndForget, .success):
                break
            case (.fireAndForget(let count), .failure(let error)):
                for _ in 0..<count {
                    for handler in fireAndForgetErrors { handler(error) }
                }
            }
            index += Int64(settle.count)
        }
    }
}


/// The one waiter of a `send`: resumed exactly once, by the delivery or by the caller's cancellation,
/// whichever comes first (the later one is ignored).
final class SingleDelivery: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<RecordMetadata, Error>)
        case done
        /// Finished before the continuation was installed (cancelled early).
        case finishedEarly(Result<RecordMetadata, Error>)
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<RecordMetadata, Error>) {
        let early: Result<RecordMetadata, Error>? = state.withLock { state in
            if case .finishedEarly(let result) = state {
                state = .done
                return result
            }
            state = .installed(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<RecordMetadata, Error>) {
        let continuation: CheckedContinuation<RecordMetadata, Error>? = state.withLock { state in
            switch state {
            case .installed(let continuation):
                state = .done
                return continuation
            case .waiting:
                state = .finishedEarly(result)
                return nil
            case .done, .finishedEarly:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}