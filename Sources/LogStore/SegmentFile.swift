#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor that closes itself when the last reference goes.
///
/// Readers keep a `SegmentFile` alive through the `SegmentRegion`s they hold, so retention may unlink a
/// segment while a fetch is still sending it: POSIX keeps the inode until the descriptor closes.
public final class SegmentFile: Sendable {
    /// The descriptor never changes after init, and pread/pwrite/fdatasync on it are thread-safe.
    public let descriptor: Int32
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens (and with `create`, creates) a file for reading and writing.
    static func open(_ path: String, create: Bool) throws(LogStoreError) -> SegmentFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = retryingEINTR { Glibc.open(path, flags, 0o644) }
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        return SegmentFile(descriptor: fd, path: path)
    }

    func size() throws(LogStoreError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system("fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Reads exactly `buffer.count` bytes at `position`, or fewer only at end of file; returns the count.
    func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(LogStoreError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `buffer` at `position`.
    func write(_ buffer: UnsafeRawBufferPointer, at position: Int64) throws(LogStoreError) {
        var done = 0
        while done < buffer.count {
            let n = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(position) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("pwrite", path: path, errno: errno)
            }
            if n == 0 { throw .system("pwrite", path: path, errno: EIO) }
            done += n
        }
    }

    func truncate(to length: Int64) throws(LogStoreError) {
        guard retryingEINTR({ ftruncate(descriptor, off_t(length)) }) == 0 else {
            throw .system("ftruncate", path: path, errno: errno)
        }
    }

    /// Forces written data (and the size) to stable storage.
    func syncData() throws(LogStoreError) {
        guard retryingEINTR({ fdatasync(descriptor) }) == 0 else {
            throw .system("fdatasync", path: path, errno: errno)
        }
    }
}

@inline(__always)
func retryingEINTR(_ call: () -> Int32) -> Int32 {
    while true {
        let result = call()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}

/// File-system helpers; none of these is on a hot path.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    static func listDirectory(_ path: String) throws(LogStoreError) -> [String] {
        guard let dir = opendir(path) else { throw .system("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func remove(_ path: String) throws(LogStoreError) {
        if unlink(path) != 0 && errno != ENOENT { throw .system("unlink", path: path, errno: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(LogStoreError) {
        if Glibc.rename(from, to) != 0 { throw .system("rename", path: from, errno: errno) }
    }

    /// Writes a small file through a temporary name and rename, so readers see old or new, never half.
    /// `sync` makes it durable, directory included (`DurableFiles.replace`); without it, only for
    /// derived data that is checked when read.
    static func writeAtomically(_ path: String, contents: [UInt8], sync: Bool) throws(LogStoreError) {
        if sync {
            try DurableFiles.replace(path, contents: contents)
        } else {
            try DurableFiles.replaceUnsynced(path, contents: contents)
        }
    }

    static func readSmallFile(_ path: String) -> [UInt8]? {
        guard let file = try? SegmentFile.open(path, create: false), let size = try? file.size(),
              size <= 1 << 20
        else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let count = bytes.withUnsafeMutableBytes { raw in (try? file.read(into: raw, at: 0)) ?? -1 }
        return count == Int(size) ? bytes : nil
    }
}
