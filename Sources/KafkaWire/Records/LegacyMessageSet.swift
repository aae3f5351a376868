import LZ4
import NIOCore

/// Message formats v0 and v1 (magic 0 and 1): the message sets of Produce v0–v2 and Fetch v0–v3,
/// which Kafka 3.x still served (KIP-896 removed them in 4.0). The broker's log keeps one format,
/// RecordBatch v2: a produced message set is converted up (`recordBatch(fromMessageSet:)`), and a
/// fetch that can only carry the old format gets the batches converted down (`messageSet(fromBatches:)`),
/// as Kafka did.
///
/// A message set is messages back to back, each
/// `offset int64, message_size int32, crc int32, magic int8, attributes int8, [timestamp int64 (v1)],
/// key bytes, value bytes` (bytes: int32 length, -1 for null; the Kafka primitives of `ByteBuffer`).
/// The CRC-32 (IEEE, not the CRC-32C of v2) covers magic to the end. Attributes bits 0–2 are the codec,
/// bit 3 (v1) the timestamp type. A compressed set is one wrapper message whose value is the
/// compressed inner set; in v1 the inner offsets are relative (0...n-1) and the wrapper carries the
/// absolute offset of the last one (KIP-31), in v0 they are absolute.
public enum LegacyMessageSet {
    /// One message, after unwrapping any compression.
    public struct Message: Sendable, Hashable {
        public var offset: Int64
        public var magic: Int8
        /// -1 for magic 0, which has no timestamp.
        public var timestamp: Int64
        public var key: ByteBuffer?
        public var value: ByteBuffer?

        public init(offset: Int64, magic: Int8, timestamp: Int64 = -1, key: ByteBuffer?, value: ByteBuffer?) {
            self.offset = offset
            self.magic = magic
            self.timestamp = timestamp
            self.key = key
            self.value = value
        }
    }

    /// offset and message_size.
    static let logOverhead = 12
    /// crc, magic, attributes, key and value lengths: the smallest v0 message.
    static let minimumMessageSize = 14

    /// The messages of a set, wrappers inflated. A partial trailing message (a fetch response cut at
    /// its byte limit) ends the set; a damaged one throws.
    public static func decode(_ set: ByteBuffer, maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes)
        throws(RecordBatchError) -> [Message]
    {
        try decode(set, maxUncompressedBytes: maxUncompressedBytes, inWrapper: false)
    }

    private static func decode(_ set: ByteBuffer, maxUncompressedBytes: Int, inWrapper: Bool) throws(RecordBatchError) -> [Message] {
        var buffer = set
        let start = buffer.readerIndex
        var messages: [Message] = []
        while buffer.readableBytes >= logOverhead {
            let position = buffer.readerIndex - start
            guard let offset = buffer.getInteger(at: buffer.readerIndex, as: Int64.self),
                  let size = buffer.getInteger(at: buffer.readerIndex + 8, as: Int32.self) else { break }
            guard size >= minimumMessageSize else {
                throw RecordBatchError(.invalidBatchLength, offset: position + 8, detail: "message_size \(size)")
            }
            guard buffer.readableBytes >= logOverhead + Int(size),
                  var message = buffer.getSlice(at: buffer.readerIndex + logOverhead, length: Int(size)) else { break }
            buffer.moveReaderIndex(forwardBy: logOverhead + Int(size))
            messages += try decodeMessage(&message, offset: offset, at: position, maxUncompressedBytes: maxUncompressedBytes,
                                          inWrapper: inWrapper)
        }
        return messages
    }

    /// One message (after offset and size), or the messages of its compressed inner set.
    private static func decodeMessage(_ m: inout ByteBuffer, offset: Int64, at position: Int, maxUncompressedBytes: Int,
                                      inWrapper: Bool) throws(RecordBatchError) -> [Message] {
        // The magic first: it sits at byte 16 in every format, so a RecordBatch v2 sent where a message
        // set belongs is reported as the wrong format rather than as a bad CRC.
        let magic = m.getInteger(at: m.readerIndex + 4, as: Int8.self) ?? -1
        guard magic == 0 || magic == 1 else {
            throw RecordBatchError(.unsupportedMagic(magic), offset: position + 16)
        }
        let stored = m.getInteger(at: m.readerIndex, as: UInt32.self) ?? 0
        let computed = m.withUnsafeReadableBytes { Gzip.crc32(UnsafeRawBufferPointer(rebasing: $0.dropFirst(4))) }
        guard stored == computed else {
            throw RecordBatchError(.messageCRCMismatch(stored: stored, computed: computed), offset: position + logOverhead)
        }
        m.moveReaderIndex(forwardBy: 5)
        let attributes = m.readInteger(as: Int8.self) ?? 0
        let key: ByteBuffer?
        let value: ByteBuffer?
        var timestamp: Int64 = -1
        do {
            if magic == 1 { timestamp = try m.readKafkaInt64("timestamp") }
            key = try m.readKafkaNullableBytes("key")
            value = try m.readKafkaNullableBytes("value")
        } catch {
            throw RecordBatchError(.truncated, offset: position + logOverhead, detail: "\(error)")
        }
        guard m.readableBytes == 0 else {
            throw RecordBatchError(.recordLengthMismatch(declared: m.writerIndex), offset: position + 8)
        }
        let codec = CompressionCodec(rawValue: Int16(attributes))
        if codec == .none {
            return [Message(offset: offset, magic: magic, timestamp: timestamp, key: key, value: value)]
        }
        guard !inWrapper else { throw RecordBatchError(.nestedCompression, offset: position) }
        guard var compressed = value else {
            throw RecordBatchError(.invalidLength(-1), offset: position, detail: "compressed wrapper without a value")
        }
        let inflated = try inflate(&compressed, codec: codec, magic: magic, at: position, maxUncompressedBytes: maxUncompressedBytes)
        var inner = try decode(ByteBuffer(bytes: inflated), maxUncompressedBytes: maxUncompressedBytes, inWrapper: true)
        // v1: inner offsets are relative and the wrapper holds the last one's absolute offset (KIP-31);
        // under LogAppendTime (attributes bit 3) every inner message takes the wrapper's timestamp.
        if magic == 1, let last = inner.last {
            let base = offset &- last.offset
            let logAppendTime = attributes & 0x08 != 0
            for index in inner.indices {
                inner[index].offset = base &+ inner[index].offset
                if logAppendTime { inner[index].timestamp = timestamp }
            }
        }
        return inner
    }

    private static func inflate(_ value: inout ByteBuffer, codec: CompressionCodec, magic: Int8, at position: Int,
                                maxUncompressedBytes: Int) throws(RecordBatchError) -> [UInt8] {
        switch codec {
        case .gzip:
            let result = value.withUnsafeReadableBytes { bytes in
                Result { () throws(RecordBatchError) in try Gzip.inflate(bytes, maxOutputBytes: maxUncompressedBytes) }
            }
            return try result.get()
        case .lz4:
            var frame = Array(value.readableBytesView)
            // Before KIP-57, Kafka's LZ4 frames with magic 0 had a wrong header checksum (computed over
            // the frame magic too); Kafka ignored that byte for magic 0, so recompute it before liblz4 checks it.
            if magic == 0 { LZ4FrameHeader.repairHeaderChecksum(&frame) }
            do {
                return try LZ4Frame.decompress(frame, maxOutputBytes: maxUncompressedBytes)
            } catch {
                throw RecordBatchError(.corruptCompressedRecords(error.kind), offset: position, detail: error.description)
            }
        default:
            throw RecordBatchError(.unsupportedCompression(codec), offset: position + 17)
        }
    }

    // MARK: Converting

    /// Produce v0–v2: the set as one uncompressed or LZ4 RecordBatch v2 (gzip sets are stored
    /// uncompressed: the log's batches are written without recompressing). Magic 0 messages get no
    /// timestamp (-1), as Kafka up-converted them. Returns the batch and the set's magic.
    public static func recordBatch(fromMessageSet set: ByteBuffer, maxUncompressedBytes: Int = RecordBatch.defaultMaxUncompressedBytes)
        throws(RecordBatchError) -> (batch: ByteBuffer, magic: Int8)
    {
        let attributes = set.getInteger(at: set.readerIndex + logOverhead + 5, as: Int8.self) ?? 0
        let codec = CompressionCodec(rawValue: Int16(attributes))
        let messages = try decode(set, maxUncompressedBytes: maxUncompressedBytes)
        guard let first = messages.first else { throw RecordBatchError(.truncated, offset: 0, detail: "no complete message") }
        var builder = RecordBatchBuilder(capacity: set.readableBytes + RecordBatch.headerSize)
        for message in messages {
            try builder.append(key: message.key, value: message.value, timestamp: message.timestamp)
        }
        let batch = try builder.finish(compression: codec == .lz4 ? .lz4 : .none)
        return (batch, first.magic)
    }

    /// Fetch v0–v3: the records of these v2 batches at or after `fetchOffset` as an uncompressed
    /// message set of `magic` (0 for Fetch v0–v1, 1 for v2–v3). Headers are dropped (the old formats
    /// have none) and control batches skipped. Stops before `maxBytes` except for the first message,
    /// which is always whole, so a consumer can progress; a partial trailing batch is ignored.
    public static func messageSet(fromBatches batches: ByteBuffer, magic: Int8, fetchOffset: Int64, maxBytes: Int,
                                  decoder: RecordBatch.Decoder = RecordBatch.Decoder()) throws(RecordBatchError) -> ByteBuffer {
        var input = batches
        var output = ByteBuffer()
        while let batch = try decoder.nextBatch(from: &input) {
            if batch.isControl { continue }
            for record in batch.records {
                let offset = batch.offset(of: record)
                guard offset >= fetchOffset else { continue }
                let message = Message(offset: offset, magic: magic, timestamp: magic == 0 ? -1 : batch.timestamp(of: record),
                                      key: record.key, value: record.value)
                let size = encodedSize(message)
                if output.readableBytes > 0, output.readableBytes + size > maxBytes { return output }
                encode(message, timestampType: batch.timestampType, into: &output)
            }
        }
        return output
    }

    /// Bytes `message` takes in a set, offset and size included.
    static func encodedSize(_ message: Message) -> Int {
        logOverhead + minimumMessageSize + (message.magic == 1 ? 8 : 0)
            + (message.key?.readableBytes ?? 0) + (message.value?.readableBytes ?? 0)
    }

    /// Appends one uncompressed message of `message.magic` to a set.
    public static func encode(_ message: Message, timestampType: TimestampType = .createTime, into buffer: inout ByteBuffer) {
        buffer.writeKafkaInt64(message.offset)
        buffer.writeKafkaInt32(Int32(truncatingIfNeeded: encodedSize(message) - logOverhead))
        let crcIndex = buffer.writerIndex
        buffer.writeKafkaInt32(0)  // crc, set below
        buffer.writeKafkaInt8(message.magic)
        buffer.writeKafkaInt8(message.magic == 1 && timestampType == .logAppendTime ? 0x08 : 0)
        if message.magic == 1 { buffer.writeKafkaInt64(message.timestamp) }
        buffer.writeKafkaNullableBytes(message.key)
        buffer.writeKafkaNullableBytes(message.value)
        let covered = crcIndex + 4 - buffer.readerIndex
        let crc = buffer.withUnsafeReadableBytes { Gzip.crc32(UnsafeRawBufferPointer(rebasing: $0[covered...])) }
        buffer.setInteger(crc, at: crcIndex)
    }

    /// A compressed set: one wrapper message of `magic` whose value is `inner` compressed with `codec`
    /// (gzip or LZ4), at `offset` (v1: the last inner message's absolute offset, inner offsets relative).
    /// What old producers sent; the broker itself only writes uncompressed sets.
    public static func wrap(_ inner: ByteBuffer, codec: CompressionCodec, magic: Int8, offset: Int64, timestamp: Int64 = -1)
        throws(RecordBatchError) -> ByteBuffer
    {
        let plain = Array(inner.readableBytesView)
        let compressed: [UInt8]
        switch codec {
        case .gzip: compressed = plain.withUnsafeBytes { Gzip.deflate($0) }
        case .lz4:
            do { compressed = try LZ4Frame.compress(plain) } catch {
                throw RecordBatchError(.corruptCompressedRecords(error.kind), offset: 0, detail: error.description)
            }
        default: throw RecordBatchError(.unsupportedCompression(codec), offset: 0)
        }
        var buffer = ByteBuffer()
        let value = ByteBuffer(bytes: compressed)
        let wrapper = Message(offset: offset, magic: magic, timestamp: timestamp, key: nil, value: value)
        encode(wrapper, into: &buffer)
        // The codec lives in the attributes byte: set it, then recompute the CRC over the changed bytes.
        let attributesIndex = buffer.readerIndex + logOverhead + 5
        buffer.setInteger(Int8(truncatingIfNeeded: codec.rawValue), at: attributesIndex)
        let crc = buffer.withUnsafeReadableBytes { Gzip.crc32(UnsafeRawBufferPointer(rebasing: $0[(logOverhead + 4)...])) }
        buffer.setInteger(crc, at: buffer.readerIndex + logOverhead)
        return buffer
    }
}

/// The LZ4 frame descriptor's header checksum (HC): the second byte of XXH32 (seed 0) of the
/// descriptor (FLG, BD and the optional 8-byte content size), per the LZ4 frame format.
enum LZ4FrameHeader {
    static let magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]

    /// Rewrites the HC byte of `frame` to the right value; leaves anything that is not an LZ4 frame alone.
    static func repairHeaderChecksum(_ frame: inout [UInt8]) {
        guard frame.count >= 7, Array(frame[0..<4]) == magic else { return }
        let descriptorLength = frame[4] & 0x08 != 0 ? 10 : 2
        guard frame.count > 4 + descriptorLength else { return }
        let hash = frame.withUnsafeBytes { xxh32Short(UnsafeRawBufferPointer(rebasing: $0[4..<(4 + descriptorLength)])) }
        frame[4 + descriptorLength] = UInt8(truncatingIfNeeded: hash >> 8)
    }

    /// XXH32 with seed 0 for inputs under 16 bytes (a frame descriptor is 2 or 10).
    static func xxh32Short(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let p1: UInt32 = 2_654_435_761, p2: UInt32 = 2_246_822_519, p3: UInt32 = 3_266_489_917
        let p4: UInt32 = 668_265_263, p5: UInt32 = 374_761_393
        func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
        var hash = p5 &+ UInt32(truncatingIfNeeded: bytes.count)
        var index = 0
        while index + 4 <= bytes.count {
            let word = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            hash = rotl(hash &+ word &* p3, 17) &* p4
            index += 4
        }
        while index < bytes.count {
            hash = rotl(hash &+ UInt32(bytes[index]) &* p5, 11) &* p1
            index += 1
        }
        hash ^= hash >> 15
        hash &*= p2
        hash ^= hash >> 13
        hash &*= p3
        hash ^= hash >> 16
        return hash
    }
}
