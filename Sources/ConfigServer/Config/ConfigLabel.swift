/// A git branch, tag or commit id, validated before it reaches git: letters, digits, `.`, `_`, `-` and `/`,
/// starting with a letter or digit, at most 200 characters, no `..`, `//`, `/.`, and not ending in `/`, `.` or
/// `.lock` (a subset of `git check-ref-format`). No revision syntax (`~`, `^`, `@{…}`, `:`) and no leading `-`,
/// so git can read it only as a name. In a URL, `/` in a label is written `(_)`, as Spring Cloud Config does
/// (`feature(_)eu` for `feature/eu`).
public struct ConfigLabel: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ raw: String) throws(ConfigServerError) {
        let name = raw.replacingOccurrences(of: "(_)", with: "/")
        func invalid(_ reason: String) -> ConfigServerError { .invalidName(field: "label", value: raw, reason: reason) }
        guard (1...200).contains(name.count) else { throw invalid("must be 1 to 200 characters") }
        guard let first = name.unicodeScalars.first, ConfigName.isAlphanumeric(first) else {
            throw invalid("must start with a letter or digit")
        }
        guard name.unicodeScalars.allSatisfy({ ConfigName.isAlphanumeric($0) || "._-/".unicodeScalars.contains($0) }) else {
            throw invalid("may contain only letters, digits, '.', '_', '-' and '/' (written '(_)' in a URL)")
        }
        for bad in ["..", "//", "/."] where name.contains(bad) {
            throw invalid("must not contain '\(bad)'")
        }
        guard !name.hasSuffix("/"), !name.hasSuffix("."), !name.hasSuffix(".lock") else {
            throw invalid("must not end with '/', '.' or '.lock'")
        }
        self.name = name
    }

    public var description: String { name }
}
