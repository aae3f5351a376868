import Foundation
import Testing
@testable import Broker

@Suite struct OffsetStoreTests {
    @Test func commitsSurviveRestartAndTornLinesAreIgnored() async throws {
        let dir = NSTemporaryDirectory() + "/offsets-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try OffsetStore(directory: dir)
            try await store.commit(group: "g", [(topic: "t", partition: 0, committed: .init(offset: 5, metadata: "m1", commitTimestamp: 1))])
            try await store.commit(group: "g", [(topic: "t", partition: 0, committed: .init(offset: 9, leaderEpoch: 0, metadata: nil, commitTimestamp: 2)),
                                                (topic: "t", partition: 1, committed: .init(offset: 3, metadata: "", commitTimestamp: 2))])
            try await store.commit(group: "h", [(topic: "u", partition: 2, committed: .init(offset: 1, metadata: "x", commitTimestamp: 3))])
        }
        // A crash mid-write leaves a torn line.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/consumer-offsets.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"g\":\"g\",\"t\":\"t\",\"p\":0,\"c\":{\"off".utf8))
        try handle.close()
        let store = try OffsetStore(directory: dir)
        #expect(store.committed(group: "g", topic: "t", partition: 0) == .init(offset: 9, leaderEpoch: 0, metadata: nil, commitTimestamp: 2))
        #expect(store.all(group: "g").map(\.partition) == [0, 1])
        #expect(store.all(group: "g")[1].committed.metadata == "")
        #expect(store.groups == ["g", "h"])
        #expect(store.skippedLines == 1)  // the torn line, which the broker reports at start-up
        #expect(store.committed(group: "g", topic: "t", partition: 7) == nil)
        // Compaction kept one line per key.
        let lines = try String(contentsOfFile: dir + "/consumer-offsets.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
    }
}
