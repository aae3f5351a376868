import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request from a chosen loopback source address (127.0.0.2, 127.0.0.3, …), so that a test
/// can be many different clients on one machine: what rate limits per client address need. Blocking
/// socket calls run on a thread of their own, never on the cooperative pool.
public enum SourceBoundHTTP {
    public struct Answer: Sendable {
        public var status: Int
        public var head: String
        public var body: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case socket(String, errno: Int32)
        case malformedAnswer(String)

        public var description: String {
            switch self {
            case .socket(let step, let code): "\(step) failed: \(String(cString: strerror(code)))"
            case .malformedAnswer(let text): "not an HTTP answer: \(text.prefix(200))"
            }
        }
    }

    /// `method path` to `127.0.0.1:port` from `source`, with a JSON body when given.
    public static func send(_ method: String, port: Int, path: String, from source: String, json body: String? = nil,
                            headers: [(String, String)] = []) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingSend(method, port: port, path: path, from: source, body: body, headers: headers) })
            }
        }
    }

    /// What a raw exchange saw: the bytes the server sent, whether it closed the connection (rather than the
    /// wait running out), and after how long.
    public struct RawExchange: Sendable {
        public var received: String
        public var closedByServer: Bool
        public var seconds: Double
    }

    /// Sends `bytes` as they are (a stalled or malformed request) to `127.0.0.1:port`, then reads until the
    /// server closes the connection or `wait` passes.
    public static func raw(port: Int, bytes: [UInt8], wait: Duration = .seconds(60)) async throws -> RawExchange {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingRaw(port: port, bytes: bytes, wait: wait) })
            }
        }
    }

    /// Sends `prefix` at once, then `bytes` one at a time, `interval` apart (a slowloris client: never idle
    /// long enough for an idle timeout), until the server closes the connection or `bound` passes.
    public static func trickle(port: Int, prefix: [UInt8] = [], bytes: [UInt8], interval: Duration,
                               bound: Duration) async throws -> RawExchange {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try blockingTrickle(port: port, prefix: prefix, bytes: bytes, interval: interval, bound: bound)
                })
            }
        }
    }

    private static func blockingTrickle(port: Int, prefix: [UInt8], bytes: [UInt8], interval: Duration,
                                        bound: Duration) throws -> RawExchange {
        let fd = try connectedSocket(port: port, from: nil, receiveTimeoutSeconds: Int(bound.components.seconds))
        defer { close(fd) }
        let started = ContinuousClock.now
        if !prefix.isEmpty {
            _ = prefix.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var closed = false
        var next = 0
        while !closed, ContinuousClock.now - started < bound {
            if next < bytes.count {
                var byte = bytes[next]
                if Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) <= 0 { closed = true; break }
                next += 1
            }
            Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
            // What the server sent so far, without waiting for more.
            while true {
                let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { answer.append(contentsOf: buffer[0..<count]); continue }
                if count == 0 || errno == ECONNRESET { closed = true }
                break
            }
        }
        let elapsed = ContinuousClock.now - started
        return RawExchange(received: String(decoding: answer, as: UTF8.self), closedByServer: closed,
                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private static func blockingRaw(port: Int, bytes: [UInt8], wait: Duration) throws -> RawExchange {
        let fd = try connectedSocket(port: port, from: nil, receiveTimeoutSeconds: Int(wait.components.seconds))
        defer { close(fd) }
        let started = ContinuousClock.now
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { break }   // the server may close while a huge request is still being sent
            sent += count
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var closed = false
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { closed = true; break }
            if count < 0 {
                closed = errno == ECONNRESET
                break
            }
            answer.append(contentsOf: buffer[0..<count])
        }
        let elapsed = ContinuousClock.now - started
        return RawExchange(received: String(decoding: answer, as: UTF8.self), closedByServer: closed,
                           seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private static func blockingSend(_ method: String, port: Int, path: String, from source: String, body: String?,
                                     headers: [(String, String)]) throws -> Answer {
        let fd = try connectedSocket(port: port, from: source, receiveTimeoutSeconds: 30)
        defer { close(fd) }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if let body {
            request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            request += "\r\n"
        }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure.socket("send", errno: errno) }
            sent += count
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 { throw Failure.socket("recv", errno: errno) }
            if count == 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure.malformedAnswer(text) }
        let head = String(text[..<split.lowerBound])
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure.malformedAnswer(text) }
        return Answer(status: status, head: head, body: String(text[split.upperBound...]))
    }

    /// A TCP socket connected to `127.0.0.1:port`, bound first to `source` when given.
    private static func connectedSocket(port: Int, from source: String?, receiveTimeoutSeconds: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.socket("socket", errno: errno) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func attach(_ address: String, port: Int, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32, _ step: String) throws {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
            socketAddress.sin_addr.s_addr = inet_addr(address)
            let result = withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw Failure.socket(step, errno: code)
            }
        }
        if let source { try attach(source, port: 0, { bind($0, $1, $2) }, "bind to \(source)") }
        try attach("127.0.0.1", port: port, { connect($0, $1, $2) }, "connect to 127.0.0.1:\(port)")
        return fd
    }
}
