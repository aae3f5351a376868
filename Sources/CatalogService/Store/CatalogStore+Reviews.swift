import Contracts
import Foundation
import GRDB
import ServiceKit

extension CatalogStore {
    /// A page of a product's published reviews, newest first (keyset on created time, then id).
    func publishedReviews(productId: String, limit: Int, after: ListPosition?) async throws -> Page<Review> {
        try await database.read { db in
            var sql = "SELECT * FROM review WHERE product_id = ? AND status = 'PUBLISHED'"
            var arguments: [(any DatabaseValueConvertible)?] = [productId]
            if let after, case .integer(let millis) = after.key {
                sql += " AND (created_ms, id) < (?, ?)"
                arguments += [millis, after.id]
            }
            sql += " ORDER BY created_ms DESC, id DESC LIMIT ?"
            arguments.append(limit + 1)
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            let reviews = try rows.prefix(limit).map(Self.decodeReview)
            let next = rows.count > limit ? reviews.last.map { ListPosition(key: .integer(Millis.of($0.createdAt)), id: $0.id) } : nil
            return Page(items: reviews, next: next)
        }
    }

    /// One published review of the product, or nil.
    func publishedReview(id: String, productId: String) async throws -> Review? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM review WHERE id = ? AND product_id = ? AND status = 'PUBLISHED'",
                             arguments: [id, productId]).map(Self.decodeReview)
        }
    }

    /// Stores a review in API.md's order of checks (403 without a delivered order, 409 when the user
    /// already reviewed the product), publishes it at once (v1 has no moderation) and updates the
    /// product's rating in the same transaction, with ReviewSubmitted, ReviewPublished and
    /// ProductRatingUpdated.
    func insertReview(_ review: Review, metadata: EventMetadata) async throws -> Review {
        try await database.write { db in
            let verified = try Bool.fetchOne(
                db, sql: "SELECT EXISTS(SELECT 1 FROM verified_purchase WHERE user_id = ? AND product_id = ?)",
                arguments: [review.userId, review.productId]) ?? false
            guard verified else { throw CatalogError.notVerifiedPurchase }
            let reviewed = try Bool.fetchOne(
                db, sql: "SELECT EXISTS(SELECT 1 FROM review WHERE user_id = ? AND product_id = ?)",
                arguments: [review.userId, review.productId]) ?? false
            guard !reviewed else { throw CatalogError.alreadyReviewed }
            guard let row = try Row.fetchOne(db, sql: "SELECT rating_sum, rating_count FROM product WHERE id = ?",
                                             arguments: [review.productId]) else { throw CatalogError.productNotFound }
            var stored = review
            stored.verifiedPurchase = true
            stored.status = .published
            do {
                try db.execute(
                    sql: """
                        INSERT INTO review (id, product_id, user_id, rating, title, comment, status, verified_purchase,
                                            created_ms, updated_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [stored.id, stored.productId, stored.userId, stored.rating, stored.title, stored.comment,
                                stored.status.rawValue, true, Millis.of(stored.createdAt), Millis.of(stored.updatedAt)])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CatalogError.alreadyReviewed
            }
            let rating = RatingSummary(sum: row["rating_sum"], count: row["rating_count"]).adding(stored.rating)
            // The rating is derived data: it does not bump the product's version (an admin's PATCH
            // would otherwise conflict with every review).
            try db.execute(sql: "UPDATE product SET rating_sum = ?, rating_count = ? WHERE id = ?",
                           arguments: [rating.sum, rating.count, stored.productId])
            let at = stored.createdAt
            try Outbox.enqueue(ReviewSubmitted(reviewId: stored.id, productId: stored.productId, userId: stored.userId,
                                               rating: stored.rating, submittedAt: at),
                               metadata: metadata, occurredAt: at, in: db)
            try Outbox.enqueue(ReviewPublished(reviewId: stored.id, productId: stored.productId, userId: stored.userId,
                                               rating: stored.rating, publishedAt: at),
                               metadata: metadata, occurredAt: at, in: db)
            try Outbox.enqueue(ProductRatingUpdated(productId: stored.productId, ratingAverageX100: rating.averageX100,
                                                    ratingCount: rating.count, at: at),
                               metadata: metadata, occurredAt: at, in: db)
            return stored
        }
    }

    static func decodeReview(_ row: Row) throws -> Review {
        let statusText: String = row["status"]
        guard let status = ReviewStatus(rawValue: statusText) else { throw StoreCorruption("review has status \(statusText)") }
        return Review(id: row["id"], productId: row["product_id"], userId: row["user_id"], rating: row["rating"],
                      title: row["title"], comment: row["comment"], status: status, verifiedPurchase: row["verified_purchase"],
                      createdAt: Millis.date(row["created_ms"]), updatedAt: Millis.date(row["updated_ms"]))
    }
}
