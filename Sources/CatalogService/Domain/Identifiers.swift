import Foundation
import ServiceKit

/// Ids of products, categories and reviews: lowercase canonical UUIDs, v7 (time-ordered) when made here.
enum CatalogID {
    static func make(at date: Date) -> String { EventID.make(at: date) }

    /// Whether `text` is a UUID in lowercase canonical form; anything else is answered like an unknown id.
    static func isCanonical(_ text: String) -> Bool {
        text.utf8.count == 36 && UUID(uuidString: text)?.uuidString.lowercased() == text
    }
}

/// Times are stored as whole Unix milliseconds (sortable integers, the precision the API shows).
enum Millis {
    static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    /// `date` truncated to the millisecond, so what a write returns equals what a later read shows.
    static func truncate(_ date: Date) -> Date { Self.date(of(date)) }
}
