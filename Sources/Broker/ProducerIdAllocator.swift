import Foundation
import Synchronization

/// Hands out idempotent-producer ids that are never reissued, even after a crash: ids are reserved in
/// blocks whose end is persisted (and fsynced) before any id of the block is handed out.
public final class ProducerIdAllocator: Sendable {
    private struct State {
        var next: Int64
        var reservedEnd: Int64
    }

    private let path: String
    private let state: Mutex<State>
    static let blockSize: Int64 = 1000

    public init(directory: String) throws {
        path = directory + "/producer-id-block"
        let stored = FileManager.default.contents(atPath: path).flatMap { Int64(String(decoding: $0, as: UTF8.self)) } ?? 0
        // Everything below the persisted block end may have been handed out before a crash.
        state = Mutex(State(next: stored, reservedEnd: stored))
    }

    public func allocate() throws -> Int64 {
        try state.withLock { state in
            if state.next >= state.reservedEnd {
                let end = state.reservedEnd + Self.blockSize
                try Self.persist(end, to: path)
                state.reservedEnd = end
            }
            defer { state.next += 1 }
            return state.next
        }
    }

    private static func persist(_ value: Int64, to path: String) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(String(value).utf8)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        guard descriptor >= 0, fsync(descriptor) == 0, rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
