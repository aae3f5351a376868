import Foundation
import Testing
@testable import Broker

@Suite struct ProducerIdAllocatorTests {
    /// Ids are never reissued across restarts: a restart skips to the end of the reserved block.
    @Test func idsAreNeverReissuedAfterARestart() throws {
        let dir = NSTemporaryDirectory() + "/pids-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try ProducerIdAllocator(directory: dir)
        let handedOut = try (0..<3).map { _ in try first.allocate() }
        #expect(handedOut == [0, 1, 2])
        let second = try ProducerIdAllocator(directory: dir)
        #expect(try second.allocate() == ProducerIdAllocator.blockSize)
        // The block file was replaced through a temporary name that is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["producer-id-block"])
    }

    /// A block file that holds no number stops the broker rather than restarting ids at 0.
    @Test func aCorruptBlockFileIsRefused() throws {
        let dir = NSTemporaryDirectory() + "/pids-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data().write(to: URL(fileURLWithPath: dir + "/producer-id-block"))
        #expect(throws: ProducerIdAllocator.CorruptBlockFile.self) { try ProducerIdAllocator(directory: dir) }
    }
}
