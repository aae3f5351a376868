import Foundation
import ServiceKit

public enum ReviewStatus: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING"
    case published = "PUBLISHED"
    case rejected = "REJECTED"
}

/// One user's review of one product.
public struct Review: Sendable, Equatable {
    public var id: String
    public var productId: String
    public var userId: String
    public var rating: Int
    public var title: String?
    public var comment: String?
    public var status: ReviewStatus
    public var verifiedPurchase: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a user sends to review a product.
public struct NewReview: Sendable, Equatable {
    public var rating: Int
    public var title: String?
    public var comment: String?

    public init(rating: Int, title: String? = nil, comment: String? = nil) {
        self.rating = rating
        self.title = title
        self.comment = comment
    }

    static let ratingRange = 1...5
    static let titleMaximum = 200
    static let commentMaximum = 4000

    var problems: [FieldError] {
        var check = Validator()
        check.require(Self.ratingRange.contains(rating), "rating", "must be an integer from 1 to 5")
        check.require((title?.count ?? 0) <= Self.titleMaximum, "title", "must be at most \(Self.titleMaximum) characters")
        check.require((comment?.count ?? 0) <= Self.commentMaximum, "comment", "must be at most \(Self.commentMaximum) characters")
        return check.errors
    }
}
