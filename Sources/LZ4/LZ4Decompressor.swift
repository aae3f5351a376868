import CLZ4

/// Decodes LZ4 frames with one long-lived liblz4 context, so a fetch or produce path that
/// inflates many batches does not allocate and free a context (and its block buffers) per batch.
///
/// Accepts every valid frame flavour: any block size, with or without content size, block and
/// content checksums, and *linked* blocks too. Kafka's Java decoder refuses linked blocks, but
/// liblz4 decodes them correctly and rejecting valid data would gain nothing.
///
/// Keeps a scratch buffer as large as the biggest block size seen (at most 4 MB) next to
/// liblz4's own buffers; drop the decompressor to release them.
///
/// Not `Sendable`: the liblz4 context is mutable state. Use one per task or thread.
public final class LZ4Decompressor {
    /// `LZ4F_dctx*`; non-nil for the object's whole life, freed in `deinit`.
    private let context: OpaquePointer
    /// Where liblz4 writes before bytes are appended to the caller's array (which cannot expose
    /// uninitialized capacity). Kept as large as the biggest block seen so far (at most 4 MB)
    /// because liblz4 decodes straight into a destination that holds a whole block, and
    /// otherwise decodes into its own buffer and copies.
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int

    public init() throws(LZ4Error) {
        var dctx: OpaquePointer?
        let code = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        if LZ4F_isError(code) != 0 {
            LZ4F_freeDecompressionContext(dctx)  // accepts nil
            throw LZ4Error.library(code, inputOffset: 0, detail: "LZ4F_createDecompressionContext")
        }
        guard let dctx else {
            throw LZ4Error(kind: .allocationFailed, inputOffset: 0, detail: "LZ4F_createDecompressionContext returned no context")
        }
        context = dctx
        scratchCapacity = 64 << 10
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        scratch.deallocate()
    }

    /// Generic front end for `[UInt8]`, `ArraySlice<UInt8>`, `Data` and friends.
    @inlinable
    public func decompress(
        _ input: some Collection<UInt8>,
        into output: inout [UInt8],
        maxOutputBytes: Int
    ) throws(LZ4Error) {
        let done: Result<Void, LZ4Error>? = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(LZ4Error) in
                try decompress(UnsafeRawBufferPointer(buffer), into: &output, maxOutputBytes: maxOutputBytes)
            }
        }
        if let done {
            try done.get()
        } else {
            try decompress(Array(input), into: &output, maxOutputBytes: maxOutputBytes)
        }
    }

    /// Decompresses exactly one frame into a new array.
    @inlinable
    public func decompress(_ input: some Collection<UInt8>, maxOutputBytes: Int) throws(LZ4Error) -> [UInt8] {
        var output: [UInt8] = []
        try decompress(input, into: &output, maxOutputBytes: maxOutputBytes)
        return output
    }

    /// Decompresses exactly one frame and appends its content to `output`.
    ///
    /// `input` must be one complete frame and nothing else: a frame cut short is `.truncated`
    /// (never a silently shorter result) and bytes after the end mark are `.trailingBytes`.
    /// Skippable frames and the legacy format are `.corruptFrame`, as in Kafka.
    /// - Parameter maxOutputBytes: decompression-bomb guard; see `LZ4Frame.decompress`.
    /// - Throws: `LZ4Error`; on error `output` is restored to its original contents and the
    ///   decompressor stays usable.
    public func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        maxOutputBytes: Int
    ) throws(LZ4Error) {
        precondition(maxOutputBytes >= 0, "maxOutputBytes must not be negative")
        let start = output.count
        // A previous call may have stopped mid-frame (error, limit); start from a clean state.
        LZ4F_resetDecompressionContext(context)
        do throws(LZ4Error) {
            try decodeFrame(input, into: &output, start: start, maxOutputBytes: maxOutputBytes)
        } catch {
            output.removeSubrange(start...)
            LZ4F_resetDecompressionContext(context)
            throw error
        }
    }

    private static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max / 2 : product
    }

    private static let magic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]  // 0x184D2204 little-endian

    private func decodeFrame(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        start: Int,
        maxOutputBytes: Int
    ) throws(LZ4Error) {
        // Checked here rather than left to liblz4, which would silently skip a skippable frame
        // (producing nothing) and reports a short buffer and a wrong magic alike.
        for (index, byte) in zip(input.indices, Self.magic) where input[index] != byte {
            throw LZ4Error(kind: .corruptFrame, inputOffset: 0, detail: "not an LZ4 frame (magic number 0x184D2204 expected)")
        }
        guard let source = input.baseAddress, input.count >= Self.magic.count else {
            throw LZ4Error(kind: .truncated, inputOffset: 0, detail: "input of \(input.count) bytes ends inside the magic number")
        }

        // Parse the header first to learn the declared content size: it lets a frame that
        // announces too much content fail before any inflating, and reserves the output once.
        var info = LZ4F_frameInfo_t()
        var consumed = input.count
        let headerResult = LZ4F_getFrameInfo(context, &info, source, &consumed)
        if LZ4F_isError(headerResult) != 0 {
            throw LZ4Error.library(headerResult, inputOffset: 0, detail: "frame header")
        }
        if info.contentSize > UInt64(maxOutputBytes) {
            throw LZ4Error(
                kind: .outputLimitExceeded, inputOffset: consumed,
                detail: "frame header declares \(info.contentSize) bytes, limit is \(maxOutputBytes)")
        }

        // One byte of room beyond the limit makes an overrun observable without reading on.
        let hardCapacity = maxOutputBytes == Int.max ? Int.max : maxOutputBytes + 1
        if info.contentSize > 0 {
            // Trust the declared size only as far as this input could inflate (LZ4 tops out
            // near 255:1), so a tiny frame claiming a huge size cannot make us reserve the limit.
            let plausible = Self.saturatingMultiply(input.count, 256)
            output.reserveCapacity(start + min(Int(info.contentSize), plausible))
        }
        let blockBytes = Self.maxBlockBytes(info.blockSizeID)
        if scratchCapacity < blockBytes {
            scratch.deallocate()
            scratch = .allocate(capacity: blockBytes)
            scratchCapacity = blockBytes
        }

        var inputOffset = consumed
        var produced = 0
        while true {
            var written = min(scratchCapacity, hardCapacity - produced)  // > 0: produced <= maxOutputBytes
            var read = input.count - inputOffset
            // The return value is only a size hint for the next call; 0 means the frame ended.
            let hint = LZ4F_decompress(context, scratch, &written, source + inputOffset, &read, nil)
            if LZ4F_isError(hint) != 0 {
                throw LZ4Error.library(hint, inputOffset: inputOffset)
            }
            inputOffset += read
            produced += written
            if produced > maxOutputBytes {
                throw LZ4Error(
                    kind: .outputLimitExceeded, inputOffset: inputOffset,
                    detail: "frame inflates beyond \(maxOutputBytes) bytes")
            }
            output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: written))
            if hint == 0 { break }
            if read == 0 && written == 0 {
                // liblz4 had output room and took no input: it is waiting for bytes that do not exist.
                if inputOffset == input.count {
                    throw LZ4Error(
                        kind: .truncated, inputOffset: inputOffset,
                        detail: "input ends before the frame's end mark (\(hint) more bytes expected next)")
                }
                // Cannot happen with liblz4 1.9.x; guards against spinning forever.
                throw LZ4Error(kind: .corruptFrame, inputOffset: inputOffset, detail: "decoder made no progress")
            }
        }
        if inputOffset != input.count {
            throw LZ4Error(
                kind: .trailingBytes, inputOffset: inputOffset,
                detail: "\(input.count - inputOffset) bytes follow the frame's end mark")
        }
    }

    private static func maxBlockBytes(_ id: LZ4F_blockSizeID_t) -> Int {
        switch id {
        case LZ4F_max256KB: 256 << 10
        case LZ4F_max1MB: 1 << 20
        case LZ4F_max4MB: 4 << 20
        default: 64 << 10
        }
    }
}

@available(*, unavailable, message: "LZ4Decompressor wraps a mutable liblz4 context; use one per task")
extension LZ4Decompressor: Sendable {}
