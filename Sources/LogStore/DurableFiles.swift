import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Makes temporary file names unique, so concurrent replacements of one file never collide.
private let temporaryFileCounter = Atomic<Int>(0)

/// The one place where the broker changes a directory durably: every create, rename and remove the broker
/// depends on goes through here.
///
/// An fsync of a file makes its *contents* durable, not its name: the name lives in the parent
/// directory, and on ext4 (and XFS, btrfs) a `rename` or `creat` stays in the running journal
/// transaction until that directory is fsynced or the journal commits on its timer, seconds later. A
/// power cut in between leaves the old name (or `x.tmp` and no `x`), which is how a created topic and a
/// reserved producer-id block were lost (issue 19). So each operation here fsyncs the parent directory
/// before it returns, and the caller acknowledges only after it returns.
public enum DurableFiles {
    /// Replaces the file at `path` with `contents` atomically and durably: a temporary file is written
    /// and fsynced, renamed over `path`, and the directory is fsynced. Readers see the old or the new
    /// contents, never half; after a power cut the new contents are there once this has returned.
    public static func replace(_ path: String, contents: [UInt8]) throws(LogStoreError) {
        let temporary = try writeTemporary(for: path, contents: contents, sync: true)
        try FileSystem.rename(temporary, path)
        try syncDirectory(parent(of: path))
    }

    /// Creates `path` and any missing parents (mkdir -p), fsyncing the parent of each directory it
    /// created, so that the new directory is still reachable after a power cut.
    public static func createDirectory(_ path: String) throws(LogStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parentPath = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 {
                try syncDirectory(parentPath)
            } else if errno != EEXIST {
                throw .system("mkdir", path: prefix, errno: errno)
            }
        }
    }

    /// Removes a file (absent is fine) and fsyncs its directory.
    public static func remove(_ path: String) throws(LogStoreError) {
        try FileSystem.remove(path)
        try syncDirectory(parent(of: path))
    }

    /// Removes a directory and everything under it (absent is fine), then fsyncs its parent: a deleted
    /// topic's partition directory must not reappear after a power cut and be adopted by a new topic of
    /// the same name.
    public static func removeTree(_ path: String) throws(LogStoreError) {
        guard FileSystem.exists(path) else { return }
        try removeContents(path)
        try syncDirectory(parent(of: path))
    }

    private static func removeContents(_ path: String) throws(LogStoreError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .system("lstat", path: path, errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try FileSystem.listDirectory(path) { try removeContents(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw .system("rmdir", path: path, errno: errno) }
        } else {
            try FileSystem.remove(path)
        }
    }

    /// Makes file creations, renames and removals in the directory `path` durable.
    public static func syncDirectory(_ path: String) throws(LogStoreError) {
        let fd = retryingEINTR { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        defer { close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw .system("fsync", path: path, errno: errno) }
    }

    /// The directory that holds `path`'s name.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = path[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }

    /// Writes a small file through a temporary name and rename *without* any fsync: only for files that
    /// are derived data, checked when read and rebuilt when wrong (indexes rebuilt on a reader's first
    /// use), where an fsync would put disk latency on a read path.
    static func replaceUnsynced(_ path: String, contents: [UInt8]) throws(LogStoreError) {
        let temporary = try writeTemporary(for: path, contents: contents, sync: false)
        try FileSystem.rename(temporary, path)
    }

    /// `<path>.<n>.tmp` holding `contents`; recovery removes such leftovers (`LogOpener`).
    private static func writeTemporary(for path: String, contents: [UInt8], sync: Bool) throws(LogStoreError) -> String {
        let temporary = path + ".\(temporaryFileCounter.add(1, ordering: .relaxed).newValue).tmp"
        let file = try SegmentFile.open(temporary, create: true)
        try file.truncate(to: 0)
        try contents.withUnsafeBytes { raw in
            Result { () throws(LogStoreError) in try file.write(raw, at: 0) }
        }.get()
        if sync { try file.syncData() }
        return temporary
    }
}
