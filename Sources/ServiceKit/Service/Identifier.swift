import Foundation

/// Ids as API.md §1.3 has them: UUIDs in lowercase canonical text, time-ordered (v7) where a service makes
/// them.
public enum Identifier {
    /// What `isUUID` accepts, as a regular expression for documents (any case, with hyphens).
    public static let uuidPattern = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"

    public static func isUUID(_ text: String) -> Bool {
        text.utf8.count == 36 && UUID(uuidString: text) != nil
    }

    /// The canonical (lowercase) form of a UUID, or nil when `text` is not one (a malformed id in a path
    /// answers 404, like an unknown one).
    public static func canonical(_ text: String) -> String? {
        guard let uuid = UUID(uuidString: text), text.utf8.count == 36 else { return nil }
        return uuid.uuidString.lowercased()
    }

    /// A new time-ordered id.
    public static func make(at date: Date = Date()) -> String { EventID.make(at: date) }
}
