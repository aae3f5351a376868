import Testing
@testable import Broker

@Suite struct ProducerStateTests {
    @Test func firstBatchOfAnUnknownProducerIsAccepted() {
        let table = ProducerStateTable()
        #expect(table.check(producerId: 7, epoch: 0, baseSequence: 42, lastOffsetDelta: 3) == .append)
        #expect(table.check(producerId: -1, epoch: -1, baseSequence: -1, lastOffsetDelta: 0) == .append)
    }

    @Test func consecutiveSequencesAppendAndGapsAreOutOfOrder() {
        var table = ProducerStateTable()
        table.record(producerId: 1, epoch: 0, baseSequence: 0, lastOffsetDelta: 4, baseOffset: 100)
        #expect(table.check(producerId: 1, epoch: 0, baseSequence: 5, lastOffsetDelta: 0) == .append)
        #expect(table.check(producerId: 1, epoch: 0, baseSequence: 6, lastOffsetDelta: 0) == .outOfOrder(expected: 5))
        #expect(table.check(producerId: 1, epoch: 0, baseSequence: 3, lastOffsetDelta: 0) == .outOfOrder(expected: 5))
    }

    @Test func anyOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffset() {
        var table = ProducerStateTable()
        for i in 0..<7 {
            table.record(producerId: 9, epoch: 2, baseSequence: Int32(i * 2), lastOffsetDelta: 1, baseOffset: Int64(i * 2))
        }
        for i in 2..<7 {
            let expected = ProducerStateTable.BatchMetadata(firstSequence: Int32(i * 2), lastSequence: Int32(i * 2 + 1),
                                                             baseOffset: Int64(i * 2), lastOffset: Int64(i * 2 + 1))
            #expect(table.check(producerId: 9, epoch: 2, baseSequence: Int32(i * 2), lastOffsetDelta: 1) == .duplicate(expected))
        }
        // Older than the cache: no longer recognised, and not the next sequence either.
        #expect(table.check(producerId: 9, epoch: 2, baseSequence: 0, lastOffsetDelta: 1) == .outOfOrder(expected: 14))
    }

    @Test func epochRules() {
        var table = ProducerStateTable()
        table.record(producerId: 3, epoch: 5, baseSequence: 0, lastOffsetDelta: 0, baseOffset: 0)
        #expect(table.check(producerId: 3, epoch: 4, baseSequence: 1, lastOffsetDelta: 0) == .staleEpoch(current: 5))
        #expect(table.check(producerId: 3, epoch: 6, baseSequence: 0, lastOffsetDelta: 0) == .append)
        #expect(table.check(producerId: 3, epoch: 6, baseSequence: 1, lastOffsetDelta: 0) == .outOfOrder(expected: 0))
        table.record(producerId: 3, epoch: 6, baseSequence: 0, lastOffsetDelta: 2, baseOffset: 10)
        #expect(table.check(producerId: 3, epoch: 5, baseSequence: 3, lastOffsetDelta: 0) == .staleEpoch(current: 6))
        #expect(table.check(producerId: 3, epoch: 6, baseSequence: 3, lastOffsetDelta: 0) == .append)
    }

    @Test func sequencesWrapFromInt32MaxToZero() {
        var table = ProducerStateTable()
        #expect(ProducerStateTable.lastSequence(first: Int32.max - 1, lastOffsetDelta: 2) == 0)
        table.record(producerId: 1, epoch: 0, baseSequence: Int32.max - 1, lastOffsetDelta: 1, baseOffset: 0)
        #expect(table.check(producerId: 1, epoch: 0, baseSequence: 0, lastOffsetDelta: 0) == .append)
    }
}
