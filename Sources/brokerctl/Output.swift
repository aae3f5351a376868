#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

// MARK: - JSON

/// A JSON value whose objects keep their keys in the order written (stable, readable `--json` output).
enum JSON: Sendable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    static func int<I: BinaryInteger>(_ value: I) -> JSON { .integer(Int64(value)) }
    static func optionalString(_ value: String?) -> JSON { value.map { .string($0) } ?? .null }

    /// Compact, one line.
    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch self {
        case .string(let s): JSON.escape(s, into: &out)
        case .integer(let i): out += String(i)
        case .double(let d):
            if d.isFinite { out += String(format2: d) } else { out += "null" }
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                JSON.escape(key, into: &out)
                out += ":"
                value.render(into: &out)
            }
            out += "}"
        }
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension String {
    /// A double with up to 3 decimals and no exponent (enough for rates and milliseconds).
    init(format2 value: Double) {
        let scaled = (value * 1000).rounded()
        guard scaled.magnitude < 9e15 else { self = String(value); return }
        let whole = Int64(scaled) / 1000
        let fraction = Int64(scaled.magnitude) % 1000
        var text = (scaled < 0 && whole == 0 ? "-" : "") + String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        self = text
    }

    /// Fixed number of decimals, e.g. `String(fixed: 1.5, 2)` is "1.50".
    init(fixed value: Double, _ decimals: Int) {
        guard value.isFinite else { self = "-"; return }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let scaled = (value.magnitude * factor).rounded()
        guard scaled < 9e15 else { self = String(value); return }
        let integer = Int64(scaled)
        let unit = Int64(factor)
        var text = (value < 0 && integer != 0 ? "-" : "") + String(integer / unit)
        if decimals > 0 {
            let digits = String(integer % unit)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        self = text
    }
}

// MARK: - Tables

/// Left-aligned columns separated by two spaces, with an upper-case header row (like rpk).
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }
    mutating func add(row: [String]) { rows.append(row) }

    var rendered: String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 {
                    out += cell
                } else {
                    out += cell + String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : cell.count) - cell.count) + 2)
                }
            }
            return out
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    func print() { Output.line(rendered) }
}

// MARK: - Writing

/// Unbuffered-by-libc writes to stdout and stderr, so that binary record values pass through unchanged
/// and a closed pipe (`brokerctl consume … | head`) ends the command quietly.
enum Output {
    static func line(_ text: String) {
        write(text + "\n", to: 1)
    }

    static func error(_ text: String) {
        write(text + "\n", to: 2)
    }

    static func write(_ text: String, to fd: Int32) {
        var copy = text
        copy.withUTF8 { writeAll($0, to: fd) }
    }

    static func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to fd: Int32) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fd, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (EPIPE) or the descriptor is unusable: nothing more to say.
                exit(fd == 1 ? 0 : 1)
            }
            remaining -= written
            base += written
        }
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// Collects stdout bytes and writes them in large chunks (consume prints many small records).
final class StdoutBuffer {
    private var bytes: [UInt8] = []
    private let limit: Int

    init(limit: Int = 1 << 16) {
        self.limit = limit
        bytes.reserveCapacity(limit + 1024)
    }

    func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= limit { flush() }
    }

    func append<C: Collection>(bytes more: C) where C.Element == UInt8 {
        bytes.append(contentsOf: more)
        if bytes.count >= limit { flush() }
    }

    func append(byte: UInt8) {
        bytes.append(byte)
    }

    func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { Output.writeAll($0, to: 1) }
        bytes.removeAll(keepingCapacity: true)
    }
}
