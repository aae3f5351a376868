import Foundation

/// Finds the processes of one `shop up` stack on this machine through `/proc`: a service is the process
/// whose command line ends in `serve <name>` and whose environment holds its `PORT` (seed port + the stack's
/// offset); the broker is the one started with `--listen 127.0.0.1:<port>`. Looking them up by command line
/// and port rather than remembering pids finds a process that `shop up` restarted, and never one of another
/// stack on the same machine.
public enum StackProcesses {
    /// The live process serving `name` on the stack at `portOffset`, or nil (not running, not this user's,
    /// or no /proc).
    public static func pid(of name: String, portOffset: Int) -> Int32? {
        guard let seed = ServiceCatalogue.port(of: name) else { return nil }
        let port = seed + portOffset
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let arguments = commandLine(of: pid) else { continue }
            if name == "broker" {
                if let listen = arguments.firstIndex(of: "--listen"), arguments.indices.contains(listen + 1),
                   arguments[listen + 1] == "127.0.0.1:\(port)" {
                    return pid
                }
                continue
            }
            guard arguments.suffix(2) == ["serve", name],
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                  environment.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == "PORT=\(port)" })
            else { continue }
            return pid
        }
        return nil
    }

    /// Every process of the stack that is running now, by name, in `ServiceCatalogue`'s start order.
    public static func all(portOffset: Int) -> [(name: String, pid: Int32)] {
        ServiceCatalogue.entries.compactMap { entry in
            pid(of: entry.name, portOffset: portOffset).map { (entry.name, $0) }
        }
    }

    /// The arguments of `pid` (`/proc/<pid>/cmdline`, NUL-separated), or nil when it is gone or unreadable.
    private static func commandLine(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
