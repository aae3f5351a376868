import LZ4
import NIOCore

extension RecordBatch {
    /// Decodes batches, keeping what is worth reusing between them: the liblz4 context (with
    /// its block buffers) and the array LZ4 frames are inflated into. One decoder per consumer
    /// or connection; it is not `Sendable` because those buffers are mutable.
    ///
    /// Allocation per batch: the records array (reserved once, capped by what the bytes could
    /// hold) and, for LZ4, one buffer holding the inflated records. Per record: nothing but the
    /// headers array when the record has headers (and header keys longer than 15 UTF-8 bytes),
    /// because keys and values are slices of the batch or of that buffer. The inflate scratch
    /// keeps the capacity of the largest batch seen; drop the decoder to release it.
    public final class Decoder {
        /// Most bytes one batch's records may inflate to (decompression-bomb guard).
        public var maxUncompressedBytes: Int
        private var decompressor: LZ4Decompressor?
        private var scratch: [UInt8] = []

        public init(maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes) {
            precondition(maxUncompressedBytes >= 0, "maxUncompressedBytes must not be negative")
            self.maxUncompressedBytes = maxUncompressedBytes
        }

        /// Decodes the one complete batch at the reader index and moves the reader index past
        /// it; bytes after it stay readable. On error the buffer is unchanged.
        ///
        /// Checks, in order: the header (size, batchLength, magic 2), the whole batch present,
        /// the CRC-32C, the codec (none or LZ4), then every record (length fields, varints,
        /// UTF-8 header keys) and that exactly recordsCount records fill the records section.
        public func decode(from buffer: inout ByteBuffer) throws(RecordBatchError) -> RecordBatch {
            let (batch, size) = try decodeBatch(buffer)
            buffer.moveReaderIndex(forwardBy: size)
            return batch
        }

        /// The next whole batch of a sequence (a Fetch response's records), or `nil` when the
        /// buffer is empty or holds only the start of a batch. Kafka cuts fetch responses at a
        /// byte limit, so a partial trailing batch is normal; like kafka-python and librdkafka
        /// this stops there instead of failing, and leaves those bytes readable.
        /// A batchLength that no batch can have is still an error, not a partial batch.
        public func nextBatch(from buffer: inout ByteBuffer) throws(RecordBatchError) -> RecordBatch? {
            let remaining = buffer.readableBytes
            guard remaining >= RecordBatch.lengthPrefixSize,
                let batchLength = buffer.getInteger(at: buffer.readerIndex + 8, as: Int32.self)
            else { return nil }
            guard batchLength >= RecordBatch.minimumBatchLength else {
                throw RecordBatchError(.invalidBatchLength, offset: 8, detail: "batchLength \(batchLength)")
            }
            guard remaining >= RecordBatch.lengthPrefixSize + Int(batchLength) else { return nil }
            return try decode(from: &buffer)
        }

        /// Decodes every whole batch of a sequence and stops at a partial trailing batch,
        /// which stays readable in `buffer`. Errors carry the failing batch's position in
        /// `batchOffset` (from the reader index at the call); the buffer then points at it.
        public func decodeBatches(from buffer: inout ByteBuffer) throws(RecordBatchError) -> [RecordBatch] {
            let start = buffer.readerIndex
            var batches: [RecordBatch] = []
            while true {
                let batchStart = buffer.readerIndex
                do throws(RecordBatchError) {
                    guard let batch = try nextBatch(from: &buffer) else { return batches }
                    batches.append(batch)
                } catch {
                    var located = error
                    located.batchOffset = batchStart - start
                    throw located
                }
            }
        }

        // MARK: Internals

        /// Decodes the batch at the reader index; returns it and its total size.
        private func decodeBatch(_ buffer: ByteBuffer) throws(RecordBatchError) -> (RecordBatch, Int) {
            let header = try Header.validate(buffer)
            let sectionLength = header.totalSize - RecordBatch.headerSize
            guard let stored = buffer.getSlice(at: buffer.readerIndex + RecordBatch.headerSize, length: sectionLength)
            else {  // validate() saw totalSize readable bytes
                throw RecordBatchError(.truncated, offset: buffer.readableBytes)
            }

            let records: [Record]
            switch header.compression {
            case .none:
                do throws(RecordBatchError) {
                    records = try Self.parseRecords(stored, declared: header.recordsCount)
                } catch {
                    throw error.shifted(by: RecordBatch.headerSize, decompressed: false)
                }
            case .lz4:
                let inflated = try inflate(stored)
                do throws(RecordBatchError) {
                    records = try Self.parseRecords(inflated, declared: header.recordsCount)
                } catch {
                    throw error.shifted(by: 0, decompressed: true)
                }
            default:
                throw RecordBatchError(.unsupportedCompression(header.compression), offset: 21)
            }

            var batch = RecordBatch(
                baseOffset: header.baseOffset, partitionLeaderEpoch: header.partitionLeaderEpoch,
                attributes: header.attributes, lastOffsetDelta: header.lastOffsetDelta,
                baseTimestamp: header.baseTimestamp, maxTimestamp: header.maxTimestamp,
                producerId: header.producerId, producerEpoch: header.producerEpoch,
                baseSequence: header.baseSequence, records: records, crc: header.crc)
            batch.magic = header.magic
            return (batch, header.totalSize)
        }

        /// Inflates one LZ4 frame into the reused scratch array, then copies it once into a
        /// right-sized buffer the records can slice (an array cannot be shared zero-copy).
        private func inflate(_ frame: ByteBuffer) throws(RecordBatchError) -> ByteBuffer {
            do throws(LZ4Error) {
                let decompressor: LZ4Decompressor
                if let existing = self.decompressor {
                    decompressor = existing
                } else {
                    decompressor = try LZ4Decompressor()
                    self.decompressor = decompressor
                }
                scratch.removeAll(keepingCapacity: true)
                let limit = maxUncompressedBytes
                try frame.withUnsafeReadableBytes { bytes throws(LZ4Error) in
                    try decompressor.decompress(bytes, into: &scratch, maxOutputBytes: limit)
                }
            } catch {
                let kind: RecordBatchError.Kind =
                    error.kind == .outputLimitExceeded
                    ? .uncompressedSizeLimitExceeded : .corruptCompressedRecords(error.kind)
                throw RecordBatchError(
                    kind, offset: RecordBatch.headerSize + error.inputOffset, detail: error.description)
            }
            return ByteBuffer(bytes: scratch)
        }

        /// Parses exactly `declared` records filling all of `section`. Error offsets count from
        /// the section start. Keys and values are slices of `section`.
        static func parseRecords(_ section: ByteBuffer, declared: Int32) throws(RecordBatchError) -> [Record] {
            let base = section.readerIndex
            return try section.withUnsafeReadableBytes { bytes throws(RecordBatchError) -> [Record] in
                var records: [Record] = []
                // A record takes at least 7 bytes (length, attributes, timestampDelta,
                // offsetDelta, key, value and header count), so a hostile count cannot make
                // us reserve more than the bytes could hold.
                records.reserveCapacity(min(Int(declared), bytes.count / 7))
                var reader = RecordFieldReader(bytes: bytes, position: 0, end: bytes.count)
                while records.count < Int(declared) {
                    guard reader.position < bytes.count else {
                        throw RecordBatchError(
                            .recordCountMismatch(declared: declared, decoded: records.count), offset: reader.position)
                    }
                    records.append(try parseRecord(&reader, section: section, base: base))
                }
                if reader.position != bytes.count {
                    throw RecordBatchError(.trailingRecordBytes(bytes.count - reader.position), offset: reader.position)
                }
                return records
            }
        }

        /// Parses one record at `reader.position` and leaves the reader after it.
        private static func parseRecord(
            _ reader: inout RecordFieldReader, section: ByteBuffer, base: Int
        ) throws(RecordBatchError) -> Record {
            let lengthOffset = reader.position
            let length = Int(try reader.varint())
            guard length >= 0 else { throw RecordBatchError(.invalidLength(length), offset: lengthOffset) }
            let bodyStart = reader.position
            guard length <= reader.end - bodyStart else {
                throw RecordBatchError(
                    .recordLengthMismatch(declared: length), offset: lengthOffset,
                    detail: "record runs past the records section")
            }
            let sectionEnd = reader.end
            reader.end = bodyStart + length  // no field may run past the record's own length
            defer { reader.end = sectionEnd }

            do throws(RecordBatchError) {
                let attributes = Int8(bitPattern: try reader.byte())
                let timestampDelta = try reader.varlong()
                let offsetDelta = try reader.varint()
                let key = try reader.nullableBytes(section: section, base: base)
                let value = try reader.nullableBytes(section: section, base: base)
                let headerCountOffset = reader.position
                let headerCount = Int(try reader.varint())
                guard headerCount >= 0 else {
                    throw RecordBatchError(.invalidLength(headerCount), offset: headerCountOffset)
                }
                var headers: [RecordHeader] = []
                if headerCount > 0 {
                    // Each header takes at least 2 bytes (two length varints).
                    headers.reserveCapacity(min(headerCount, (reader.end - reader.position) / 2))
                    for _ in 0..<headerCount {
                        let headerKey = try reader.headerKey()
                        let headerValue = try reader.nullableBytes(section: section, base: base)
                        headers.append(RecordHeader(key: headerKey, value: headerValue))
                    }
                }
                guard reader.position == reader.end else {
                    throw RecordBatchError(
                        .recordLengthMismatch(declared: length), offset: lengthOffset,
                        detail: "fields end \(reader.end - reader.position) byte(s) before the record's end")
                }
                return Record(
                    attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
                    key: key, value: value, headers: headers)
            } catch {
                // Running out of bytes inside a complete batch means the length field lied.
                guard error.kind == .truncated else { throw error }
                throw RecordBatchError(
                    .recordLengthMismatch(declared: length), offset: lengthOffset,
                    detail: "a field at byte \(error.offset) runs past the record's end")
            }
        }
    }

    /// Decodes the one batch at the reader index with a throwaway `Decoder` (cheap: the LZ4
    /// context is only created for LZ4 batches). Use a `Decoder` to decode many.
    public static func decode(
        from buffer: inout ByteBuffer,
        maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes
    ) throws(RecordBatchError) -> RecordBatch {
        try Decoder(maxUncompressedBytes: maxUncompressedBytes).decode(from: &buffer)
    }

    /// Decodes the batch at the start of `bytes` (copied into a buffer once).
    public static func decode(
        _ bytes: [UInt8],
        maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes
    ) throws(RecordBatchError) -> RecordBatch {
        var buffer = ByteBuffer(bytes: bytes)
        return try decode(from: &buffer, maxUncompressedBytes: maxUncompressedBytes)
    }

    /// Decodes a sequence of concatenated batches (a Fetch response's records field); stops
    /// at a partial trailing batch, which stays readable in `buffer`. See `Decoder.decodeBatches`.
    public static func decodeBatches(
        from buffer: inout ByteBuffer,
        maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes
    ) throws(RecordBatchError) -> [RecordBatch] {
        try Decoder(maxUncompressedBytes: maxUncompressedBytes).decodeBatches(from: &buffer)
    }
}

@available(*, unavailable, message: "RecordBatch.Decoder reuses mutable buffers; use one per task")
extension RecordBatch.Decoder: Sendable {}

/// Bounded cursor over a records section: every read stays below `end` (the current record's
/// end while a record is parsed), so a lying length can never read a neighbour's bytes.
struct RecordFieldReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    var end: Int

    mutating func byte() throws(RecordBatchError) -> UInt8 {
        guard position < end else { throw RecordBatchError(.truncated, offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(RecordBatchError) -> Int32 {
        let raw = try ZigZagVarint.decodeUnsigned(
            bytes, at: &position, end: end, maxBytes: ZigZagVarint.maxVarintBytes)
        return ZigZagVarint.unZigZag(UInt32(truncatingIfNeeded: raw))
    }

    mutating func varlong() throws(RecordBatchError) -> Int64 {
        ZigZagVarint.unZigZag(
            try ZigZagVarint.decodeUnsigned(bytes, at: &position, end: end, maxBytes: ZigZagVarint.maxVarlongBytes))
    }

    /// A varint length, then that many bytes as a slice of `section`; -1 is null.
    mutating func nullableBytes(section: ByteBuffer, base: Int) throws(RecordBatchError) -> ByteBuffer? {
        let lengthOffset = position
        let length = Int(try varint())
        if length == -1 { return nil }
        guard length >= 0 else { throw RecordBatchError(.invalidLength(length), offset: lengthOffset) }
        guard length <= end - position else { throw RecordBatchError(.truncated, offset: position) }
        guard let slice = section.getSlice(at: base + position, length: length) else {
            throw RecordBatchError(.truncated, offset: position)  // unreachable: bounds checked above
        }
        position += length
        return slice
    }

    /// A header key: a non-null length and valid UTF-8 (kafka-python rejects invalid keys too).
    mutating func headerKey() throws(RecordBatchError) -> String {
        let lengthOffset = position
        let length = Int(try varint())
        guard length >= 0 else { throw RecordBatchError(.invalidLength(length), offset: lengthOffset) }
        guard length <= end - position else { throw RecordBatchError(.truncated, offset: position) }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
        guard let key = String(validating: raw, as: UTF8.self) else {
            throw RecordBatchError(.invalidHeaderKey, offset: position)
        }
        position += length
        return key
    }
}
