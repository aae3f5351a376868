import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import Broker

/// A gate that a deferred answer waits at until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let openNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if openNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Answers each frame with its own first byte. The first frame's answer is deferred until the gate
/// opens, as an acks=all produce's answer waits for its fsync.
final class ScriptedProcessor: RequestProcessor {
    let gate = Gate()
    let processed = Atomic<Int>(0)

    func process(frame: ByteBuffer, connection: ConnectionInfo) async -> RequestOutcome {
        let number = processed.add(1, ordering: .sequentiallyConsistent).newValue
        let tag = frame.getInteger(at: frame.readerIndex, as: UInt8.self) ?? 0
        let answer = ResponsePayload(ByteBuffer(bytes: [tag]))
        guard number == 1 else { return .respond(answer) }
        let gate = self.gate
        return .deferred {
            await gate.wait()
            return .respond(answer)
        }
    }
}

@Suite struct ConnectionPipeliningTests {
    func makeChannel(_ processor: ScriptedProcessor) async throws -> NIOAsyncTestingChannel {
        // The handler is made on the channel's loop, where it lives (it is not Sendable).
        try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandler(
                KafkaConnectionHandler(processor: processor, info: ConnectionInfo(id: 1, remoteAddress: "test"),
                                       logger: Logger(label: "test"), onClose: {}))
        }
    }

    /// Bounded by wall time far above anything the test measures (it measures no time at all).
    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func aDeferredAnswerLetsTheNextRequestStartAndAnswersStayInOrder() async throws {
        let processor = ScriptedProcessor()
        let channel = try await makeChannel(processor)
        try await channel.writeInbound(ByteBuffer(bytes: [0xA]))
        try await channel.writeInbound(ByteBuffer(bytes: [0xB]))
        // The second request is processed while the first one's answer still waits (for its fsync).
        try await waitUntil { processor.processed.load(ordering: .sequentiallyConsistent) == 2 }
        #expect(processor.processed.load(ordering: .sequentiallyConsistent) == 2)
        // ...but its answer is not written ahead of the first one's.
        #expect(try await channel.readOutbound(as: IOData.self) == nil)

        processor.gate.open()
        var written: [UInt8] = []
        for _ in 0..<4 {
            guard case .byteBuffer(let buffer) = try await channel.waitForOutboundWrite(as: IOData.self) else {
                Issue.record("expected bytes")
                return
            }
            written += buffer.readableBytesView
        }
        // Each answer is its 4-byte size, then its body: A first, then B.
        #expect(written == [0, 0, 0, 1, 0xA, 0, 0, 0, 1, 0xB])
        _ = try? await channel.finish()
    }

    @Test func answersThatAreNotDeferredStillGoOneAtATimeInOrder() async throws {
        let processor = ScriptedProcessor()
        processor.gate.open()
        let channel = try await makeChannel(processor)
        for tag: UInt8 in 1...5 { try await channel.writeInbound(ByteBuffer(bytes: [tag])) }
        var written: [UInt8] = []
        while written.count < 25 {
            guard case .byteBuffer(let buffer) = try await channel.waitForOutboundWrite(as: IOData.self) else { break }
            written += buffer.readableBytesView
        }
        #expect(written == (1...5).flatMap { [0, 0, 0, 1, $0] })
        _ = try? await channel.finish()
    }
}
