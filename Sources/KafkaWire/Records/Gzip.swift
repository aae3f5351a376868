import CZlib

/// gzip (RFC 1952) over zlib, for codec 1 of message formats v0/v1, and zlib's CRC-32 (IEEE),
/// the checksum of those formats. Kafka's producers wrote gzip with Java's GZIPOutputStream.
public enum Gzip {
    /// Inflates one gzip (or zlib) stream; at most `maxOutputBytes`, so a tiny hostile wrapper cannot
    /// exhaust memory.
    public static func inflate(_ input: UnsafeRawBufferPointer, maxOutputBytes: Int) throws(RecordBatchError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, and detect a gzip or zlib header.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RecordBatchError(.corruptGzipRecords, offset: 0, detail: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let status = chunk.withUnsafeMutableBytes { out -> Int32 in
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            output.append(contentsOf: chunk[0..<produced])
            guard output.count <= maxOutputBytes else {
                throw RecordBatchError(.uncompressedSizeLimitExceeded, offset: 0, detail: "gzip")
            }
            if status == Z_STREAM_END { return output }
            guard status == Z_OK, produced > 0 || stream.avail_in > 0 else {
                throw RecordBatchError(.corruptGzipRecords, offset: input.count - Int(stream.avail_in),
                                       detail: status == Z_OK || status == Z_BUF_ERROR ? "truncated gzip stream" : "zlib status \(status)")
            }
        }
    }

    /// One gzip stream holding `input` (used to build test inputs and by any producer of gzip sets).
    public static func deflate(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: the largest window with a gzip header and trailer.
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            return CZlib.deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else { return [] }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    /// CRC-32 (IEEE 802.3, zlib's), the checksum of a v0/v1 message from its magic byte to its end.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(truncatingIfNeeded: CZlib.crc32(0, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}
