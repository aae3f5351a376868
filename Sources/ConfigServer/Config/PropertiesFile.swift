import Foundation

/// The one file format of the configuration repository: UTF-8 text, one `KEY=value` per line.
/// - Blank lines and lines whose first non-blank character is `#` or `!` are comments.
/// - The key is everything before the first `=`, the value everything after it; both are trimmed of spaces
///   and tabs. The value is taken literally: no quotes, escapes, continuation lines or `${…}` expansion, and a
///   `#` inside a value is part of it. An empty value is allowed (`KEY=`).
/// - Keys are the environment variable names services read (`LOG_LEVEL`, `IAM_ACCESS_TOKEN_TTL_SECONDS`):
///   a letter or `_`, then letters, digits, `_` or `.`.
/// - A key given twice in one file: the later line wins.
public enum PropertiesFile {
    public struct LineError: Error, Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    public static func parse(_ data: Data) throws(LineError) -> [String: String] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw LineError(line: 1, reason: "the file is not UTF-8 text")
        }
        var properties: [String: String] = [:]
        var number = 0
        // `\r\n` is one Character in Swift, so `isNewline` splits LF, CRLF and CR line endings alike.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            var line = rawLine
            if number == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("!") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw LineError(line: number, reason: "expected KEY=value")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard isValidKey(key) else {
                throw LineError(line: number, reason: "'\(key)' is not a valid key (a letter or '_', then letters, digits, '_' or '.')")
            }
            properties[key] = value
        }
        return properties
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else {
            return false
        }
        return key.unicodeScalars.allSatisfy { ConfigName.isAlphanumeric($0) || $0 == "_" || $0 == "." }
    }
}
