import Foundation
import LogStore
import Synchronization

/// Hands out idempotent-producer ids that are never reissued, even after a crash or a power cut: ids are
/// reserved in blocks whose end is durable (file and directory fsynced, `DurableFiles.replace`) before
/// any id of the block is handed out. Two producers with one id and epoch would corrupt each other's
/// sequence checks: one's batch dropped as a "duplicate" of the other's is silent loss.
public final class ProducerIdAllocator: Sendable {
    private struct State {
        var next: Int64
        var reservedEnd: Int64
    }

    /// The block file holds something other than a number. Starting again from 0 would reissue ids.
    public struct CorruptBlockFile: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "\(path) does not hold a producer id block end; restore it, or set it above every id ever handed out"
        }
    }

    private let path: String
    private let state: Mutex<State>
    static let blockSize: Int64 = 1000

    public init(directory: String) throws {
        path = directory + "/producer-id-block"
        var stored: Int64 = 0
        if let data = FileManager.default.contents(atPath: path) {
            // Starting again from 0 would reissue ids: refuse to guess.
            guard let value = Int64(String(decoding: data, as: UTF8.self)), value >= 0 else {
                throw CorruptBlockFile(path: path)
            }
            stored = value
        }
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

    private static func persist(_ value: Int64, to path: String) throws(LogStoreError) {
        try DurableFiles.replace(path, contents: Array(String(value).utf8))
    }
}
