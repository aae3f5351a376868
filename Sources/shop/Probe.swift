import Foundation

/// Readiness probes over loopback with plain sockets and a one-second timeout.
enum Probe {
    static func tcp(port: Int) -> Bool {
        let fd = connectLoopback(port: port)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    /// The status code of `GET path`, or nil.
    static func httpStatus(port: Int, path: String) async -> Int? {
        await Task.detached {
            let fd = connectLoopback(port: port)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 12 else { return nil }
            let head = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
            return head.count > 1 ? Int(head[1]) : nil
        }.value
    }

    private static func connectLoopback(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }
}
