/// Walks the batches of a segment file in order: recovery (with CRC checks) and index rebuilds.
enum SegmentScanner {
    enum StopReason: Equatable, Sendable {
        case invalid(LogStoreError.InvalidBatchReason)
        /// Offsets must be dense: a batch whose base offset is not the expected next offset ends the log.
        case offsetMismatch(expected: Int64, found: Int64)
    }

    struct Outcome {
        /// Bytes of whole valid batches from the start of the segment.
        var validBytes: Int64
        var nextOffset: Int64
        var indexes: SegmentIndexes
        var builder: IndexBuilder
        var batchCount: Int
        /// Why the scan ended before `limit`, or nil when it reached it cleanly.
        var stop: StopReason?
    }

    /// Scans `[start, limit)` of `file`. `start`, `nextOffset`, `indexes` and `builder` let a clean open
    /// resume from the last index entry instead of reading the whole segment.
    static func scan(
        file: SegmentFile, segmentBase: Int64, limit: Int64, verifyCRC: Bool, indexInterval: Int,
        start: Int64 = 0, nextOffset: Int64? = nil, indexes: SegmentIndexes = SegmentIndexes(),
        builder: IndexBuilder? = nil
    ) throws(LogStoreError) -> Outcome {
        var result = Outcome(
            validBytes: start, nextOffset: nextOffset ?? segmentBase, indexes: indexes,
            builder: builder ?? IndexBuilder(segmentBase: segmentBase, intervalBytes: indexInterval),
            batchCount: 0, stop: nil)
        let lastIndexedPosition = indexes.offsets.last.map { Int64($0.position) } ?? 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var bufferStart: Int64 = start
        var bufferCount = 0
        var position = start

        // Makes [position, position + count) available in the buffer; false at end of file.
        func ensure(_ count: Int) throws(LogStoreError) -> Bool {
            let available = bufferStart + Int64(bufferCount) - position
            if position >= bufferStart && available >= Int64(count) { return true }
            if count > buffer.count { buffer = [UInt8](repeating: 0, count: count) }
            let wanted = Int(min(Int64(buffer.count), limit - position))
            guard wanted >= count else { return false }
            let read = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(LogStoreError) in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<wanted]), at: position)
                }
            }.get()
            bufferStart = position
            bufferCount = read
            return read >= count
        }

        while position < limit {
            guard try ensure(RecordBatchHeader.lengthPrefix) else { result.stop = .invalid(.truncated); break }
            let lengthOK = buffer.withUnsafeBytes { raw in
                raw.int32(at: Int(position - bufferStart) + 8) >= RecordBatchHeader.minimumBatchLength
            }
            guard lengthOK else { result.stop = .invalid(.badLength); break }
            let total = buffer.withUnsafeBytes { raw in
                RecordBatchHeader.lengthPrefix + Int(raw.int32(at: Int(position - bufferStart) + 8))
            }
            guard try ensure(total) else { result.stop = .invalid(.truncated); break }
            let checked = buffer.withUnsafeBytes { raw -> Result<RecordBatchHeader, LogStoreError.InvalidBatchReason> in
                let at = Int(position - bufferStart)
                let batch = UnsafeRawBufferPointer(rebasing: raw[at..<(at + total)])
                if verifyCRC { return RecordBatchHeader.validate(batch, at: 0) }
                let header = RecordBatchHeader(batch)
                return header.magic == 2 ? .success(header) : .failure(.badMagic)
            }
            guard case .success(let header) = checked else {
                if case .failure(let reason) = checked { result.stop = .invalid(reason) }
                break
            }
            guard header.baseOffset == result.nextOffset else {
                result.stop = .offsetMismatch(expected: result.nextOffset, found: header.baseOffset)
                break
            }
            let (offsetEntry, timeEntry) = result.builder.add(
                position: position, baseOffset: header.baseOffset, maxTimestamp: header.maxTimestamp, size: total)
            if let offsetEntry, Int64(offsetEntry.position) > lastIndexedPosition {
                result.indexes.offsets.append(offsetEntry)
            }
            if let timeEntry, result.indexes.times.last.map({ timeEntry.timestamp > $0.timestamp }) ?? true {
                result.indexes.times.append(timeEntry)
            }
            position += Int64(total)
            result.validBytes = position
            result.nextOffset = header.lastOffset + 1
            result.batchCount += 1
        }
        return result
    }
}
