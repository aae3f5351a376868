import CCRC32C

/// Walks the batches of a segment file in order: recovery (with CRC checks) and index rebuilds.
///
/// Every length in the file is untrusted input: a torn or garbage tail can claim any batchLength. The
/// scanner checks a claimed size against the bytes the file really has before reading it, and never
/// allocates by it: its buffer is fixed (`bufferBytes`), and a batch larger than the buffer is checked
/// in buffer-sized pieces (CRC-32C extends piece by piece). Memory is constant and time is proportional
/// to the bytes really there, whatever the tail claims.
enum SegmentScanner {
    enum StopReason: Equatable, Sendable, CustomStringConvertible {
        case invalid(LogStoreError.InvalidBatchReason)
        /// Offsets must be dense: a batch whose base offset is not the expected next offset ends the log.
        case offsetMismatch(expected: Int64, found: Int64)
        /// The batch claims more bytes than the file holds after it: a torn write, or garbage.
        case beyondEndOfFile(claimed: Int64, available: Int64)

        var description: String {
            switch self {
            case .invalid(let reason): reason.rawValue
            case .offsetMismatch(let expected, let found): "batch base offset \(found) where \(expected) was expected"
            case .beyondEndOfFile(let claimed, let available):
                "batch claims \(claimed) bytes but only \(available) remain in the file (torn write)"
            }
        }
    }

    /// The scan buffer: batches up to this size are read in one piece.
    static let bufferBytes = 1 << 20

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
        var buffer = [UInt8](repeating: 0, count: bufferBytes)
        var bufferStart: Int64 = start
        var bufferCount = 0
        var position = start

        // Makes [position, position + count) available in the buffer; false at end of file.
        func ensure(_ count: Int) throws(LogStoreError) -> Bool {
            let available = bufferStart + Int64(bufferCount) - position
            if position >= bufferStart && available >= Int64(count) { return true }
            precondition(count <= buffer.count, "callers ask for at most one buffer")
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
            // The claimed length is checked against the file before anything is read or allocated by it.
            guard Int64(total) <= limit - position else {
                result.stop = .beyondEndOfFile(claimed: Int64(total), available: limit - position)
                break
            }
            let checked: Result<RecordBatchHeader, LogStoreError.InvalidBatchReason>
            if total > buffer.count {
                checked = try validateLarge(file: file, at: position, total: total, verifyCRC: verifyCRC, buffer: &buffer)
                bufferCount = 0  // the buffer now holds the batch's last piece, not what bufferStart says
            } else {
                guard try ensure(total) else { result.stop = .invalid(.truncated); break }
                checked = buffer.withUnsafeBytes { raw -> Result<RecordBatchHeader, LogStoreError.InvalidBatchReason> in
                    let at = Int(position - bufferStart)
                    let batch = UnsafeRawBufferPointer(rebasing: raw[at..<(at + total)])
                    if verifyCRC { return RecordBatchHeader.validate(batch, at: 0) }
                    let header = RecordBatchHeader(batch)
                    return header.magic == 2 ? .success(header) : .failure(.badMagic)
                }
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

    /// The checks of `RecordBatchHeader.validate` for a batch larger than the scan buffer (the caller has
    /// checked that the file holds all `total` bytes): the header is read once, the CRC-32C is extended
    /// over buffer-sized pieces.
    private static func validateLarge(
        file: SegmentFile, at position: Int64, total: Int, verifyCRC: Bool, buffer: inout [UInt8]
    ) throws(LogStoreError) -> Result<RecordBatchHeader, LogStoreError.InvalidBatchReason> {
        let header = try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(LogStoreError) -> RecordBatchHeader? in
                let read = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<RecordBatchHeader.size]), at: position)
                return read == RecordBatchHeader.size ? RecordBatchHeader(UnsafeRawBufferPointer(raw)) : nil
            }
        }.get()
        guard let header else { return .failure(.truncated) }
        guard header.magic == 2 else { return .failure(.badMagic) }
        guard verifyCRC else { return .success(header) }
        var crc: UInt32 = 0
        var done = 21  // the CRC covers [attributes, end)
        while done < total {
            let piece = min(buffer.count, total - done)
            let read = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(LogStoreError) -> Int in
                    let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<piece]), at: position + Int64(done))
                    if count == piece, let base = raw.baseAddress { crc = crc32c_extend(crc, base, piece) }
                    return count
                }
            }.get()
            guard read == piece else { return .failure(.truncated) }
            done += piece
        }
        guard crc == header.crc else { return .failure(.badCRC) }
        guard header.lastOffsetDelta >= 0, Int64(header.recordsCount) == Int64(header.lastOffsetDelta) + 1 else {
            return .failure(.badRecordCount)
        }
        return .success(header)
    }
}
