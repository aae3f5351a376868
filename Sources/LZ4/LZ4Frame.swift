import CLZ4

/// LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md) as Kafka
/// uses it for RecordBatch v2 compression codec 3: the records section is exactly one frame.
///
/// Producers in the wild write different frame flavours: librdkafka writes FLG 0x60 / BD 0x40
/// (independent 64 KB blocks, no content size, no checksums); kafka-python (python-lz4
/// `lz4.frame.compress(..., block_linked=False)`) writes FLG 0x68 (plus an 8-byte content size);
/// the Java client writes 0x60 / 0x40 too but its decoder refuses linked blocks. The decoder
/// here accepts every valid frame flavour; the encoder only writes what all of them accept.
public enum LZ4Frame {
    /// Maximum uncompressed size of one block (the BD byte). Larger blocks compress slightly
    /// better but make every decoder reserve a buffer that large.
    public enum BlockSize: Sendable, Equatable {
        case max64KB, max256KB, max1MB, max4MB

        var cValue: LZ4F_blockSizeID_t {
            switch self {
            case .max64KB: LZ4F_max64KB
            case .max256KB: LZ4F_max256KB
            case .max1MB: LZ4F_max1MB
            case .max4MB: LZ4F_max4MB
            }
        }
    }

    /// Frame flavour written by `compress`. The defaults reproduce librdkafka's frames
    /// (FLG 0x60, BD 0x40) because that is what every Kafka consumer is known to accept.
    public struct Options: Sendable, Equatable {
        public var blockSize: BlockSize
        /// Store the uncompressed length in the header (python-lz4's default). An empty
        /// input never gets one: liblz4 treats a stored size of 0 as "unknown".
        public var contentSize: Bool
        /// Append xxHash32 of each compressed block.
        public var blockChecksum: Bool
        /// Append xxHash32 of the whole uncompressed content.
        public var contentChecksum: Bool
        /// liblz4 level: 0 = default fast mode, negative = faster, 3...12 = HC (slower, smaller).
        public var compressionLevel: Int

        public init(
            blockSize: BlockSize = .max64KB,
            contentSize: Bool = false,
            blockChecksum: Bool = false,
            contentChecksum: Bool = false,
            compressionLevel: Int = 0
        ) {
            self.blockSize = blockSize
            self.contentSize = contentSize
            self.blockChecksum = blockChecksum
            self.contentChecksum = contentChecksum
            self.compressionLevel = compressionLevel
        }

        /// Independent 64 KB blocks, no content size, no checksums: byte-for-byte librdkafka's header.
        public static let librdkafka = Options()
    }

    // MARK: Compression

    /// Most bytes one frame of `inputCount` bytes can take with `options`: the room
    /// `compress(_:into:options:)` needs in its destination.
    public static func frameBound(_ inputCount: Int, options: Options = .librdkafka) throws(LZ4Error) -> Int {
        var prefs = preferences(options, inputCount: inputCount)
        let bound = LZ4F_compressFrameBound(inputCount, &prefs)
        if LZ4F_isError(bound) != 0 {
            throw LZ4Error.library(bound, inputOffset: 0, detail: "LZ4F_compressFrameBound")
        }
        return bound
    }

    /// Compresses `input` into one frame written at the start of `destination`, which must hold
    /// at least `frameBound(input.count, options:)` bytes; returns the frame's length. No
    /// allocation: a producer compresses a batch straight into its request buffer.
    public static func compress(
        _ input: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer,
        options: Options = .librdkafka
    ) throws(LZ4Error) -> Int {
        var prefs = preferences(options, inputCount: input.count)
        guard let target = destination.baseAddress else {
            throw LZ4Error(kind: .compressionFailed, inputOffset: 0, detail: "no destination bytes")
        }
        // liblz4 reads nothing from an empty input, but null-pointer arithmetic is formally UB
        // in C; any valid address will do.
        let source = input.baseAddress ?? UnsafeRawPointer(target)
        let written = LZ4F_compressFrame(target, destination.count, source, input.count, &prefs)
        if LZ4F_isError(written) != 0 {
            throw LZ4Error.library(written, inputOffset: 0, detail: "LZ4F_compressFrame")
        }
        return written
    }

    private static func preferences(_ options: Options, inputCount: Int) -> LZ4F_preferences_t {
        var prefs = LZ4F_preferences_t()  // zeroed == liblz4 defaults, reserved fields zero
        prefs.frameInfo.blockSizeID = options.blockSize.cValue
        prefs.frameInfo.blockMode = LZ4F_blockIndependent
        prefs.frameInfo.contentChecksumFlag =
            options.contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
        prefs.frameInfo.blockChecksumFlag =
            options.blockChecksum ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum
        prefs.frameInfo.contentSize = options.contentSize ? UInt64(inputCount) : 0
        prefs.compressionLevel = Int32(clamping: options.compressionLevel)
        return prefs
    }

    /// Compresses `input` into one frame and appends it to `output`, so a caller can build a
    /// batch in a reused buffer. Blocks are always independent: Kafka's Java decoder refuses
    /// linked blocks, so we never write them.
    public static func compress(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        options: Options = .librdkafka
    ) throws(LZ4Error) {
        var prefs = preferences(options, inputCount: input.count)
        let bound = LZ4F_compressFrameBound(input.count, &prefs)
        if LZ4F_isError(bound) != 0 {
            throw LZ4Error.library(bound, inputOffset: 0, detail: "LZ4F_compressFrameBound")
        }
        // Compress into scratch and append: Array has no way to expose uninitialized tail
        // capacity, and copying the (smaller) frame is cheaper than zero-filling the bound.
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bound, 1))
        defer { scratch.deallocate() }
        // liblz4 reads nothing from an empty input, but null-pointer arithmetic is formally UB
        // in C; any valid address will do.
        let source = input.baseAddress ?? UnsafeRawPointer(scratch)
        let written = LZ4F_compressFrame(scratch, bound, source, input.count, &prefs)
        if LZ4F_isError(written) != 0 {
            throw LZ4Error.library(written, inputOffset: 0, detail: "LZ4F_compressFrame")
        }
        output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: written))
    }

    /// Generic front end for `[UInt8]`, `ArraySlice<UInt8>`, `Data` and friends.
    /// Non-contiguous collections are copied once.
    @inlinable
    public static func compress(
        _ input: some Collection<UInt8>,
        into output: inout [UInt8],
        options: Options = .librdkafka
    ) throws(LZ4Error) {
        let done: Result<Void, LZ4Error>? = input.withContiguousStorageIfAvailable { buffer in
            Result { () throws(LZ4Error) in
                try compress(UnsafeRawBufferPointer(buffer), into: &output, options: options)
            }
        }
        if let done {
            try done.get()
        } else {
            try compress(Array(input), into: &output, options: options)
        }
    }

    /// Compresses `input` into a new frame.
    @inlinable
    public static func compress(
        _ input: some Collection<UInt8>,
        options: Options = .librdkafka
    ) throws(LZ4Error) -> [UInt8] {
        var output: [UInt8] = []
        try compress(input, into: &output, options: options)
        return output
    }

    // MARK: Decompression

    /// Decompresses exactly one frame and appends the content to `output`.
    ///
    /// Accepts every valid frame flavour, linked blocks included (see `LZ4Decompressor`).
    /// Creates a liblz4 context per call; use `LZ4Decompressor` to reuse one on hot paths.
    /// - Parameter maxOutputBytes: most bytes this frame may inflate to; a frame that would
    ///   exceed it fails with `.outputLimitExceeded` after at most `maxOutputBytes + 1` bytes
    ///   were produced, so a tiny hostile batch cannot exhaust memory.
    /// - Throws: `LZ4Error`; on error `output` is restored to its original contents.
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        maxOutputBytes: Int
    ) throws(LZ4Error) {
        let decompressor = try LZ4Decompressor()
        try decompressor.decompress(input, into: &output, maxOutputBytes: maxOutputBytes)
    }

    /// Generic front end of `decompress(_:into:maxOutputBytes:)`.
    @inlinable
    public static func decompress(
        _ input: some Collection<UInt8>,
        into output: inout [UInt8],
        maxOutputBytes: Int
    ) throws(LZ4Error) {
        let decompressor = try LZ4Decompressor()
        try decompressor.decompress(input, into: &output, maxOutputBytes: maxOutputBytes)
    }

    /// Decompresses exactly one frame into a new array.
    @inlinable
    public static func decompress(
        _ input: some Collection<UInt8>,
        maxOutputBytes: Int
    ) throws(LZ4Error) -> [UInt8] {
        var output: [UInt8] = []
        try decompress(input, into: &output, maxOutputBytes: maxOutputBytes)
        return output
    }
}
