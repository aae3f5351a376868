import Foundation

// Review events on `catalog.review.v1`, keyed by product id (one product's reviews stay in order).

/// A verified buyer submitted a review (status `PENDING` until moderation decides; v1 publishes at once).
public struct ReviewSubmitted: DomainEvent, Equatable {
    public static let eventType = "ReviewSubmitted"
    public static let eventVersion = 1
    public static let aggregateType = "review"
    public static let topic = Topics.catalogReview

    public var reviewId: String
    public var productId: String
    public var userId: String
    public var rating: Int
    public var submittedAt: Date
    public var aggregateId: String { productId }

    public init(reviewId: String, productId: String, userId: String, rating: Int, submittedAt: Date) {
        self.reviewId = reviewId
        self.productId = productId
        self.userId = userId
        self.rating = rating
        self.submittedAt = submittedAt
    }
}

/// A review became visible and counts in the product's rating.
public struct ReviewPublished: DomainEvent, Equatable {
    public static let eventType = "ReviewPublished"
    public static let eventVersion = 1
    public static let aggregateType = "review"
    public static let topic = Topics.catalogReview

    public var reviewId: String
    public var productId: String
    public var userId: String
    public var rating: Int
    public var publishedAt: Date
    public var aggregateId: String { productId }

    public init(reviewId: String, productId: String, userId: String, rating: Int, publishedAt: Date) {
        self.reviewId = reviewId
        self.productId = productId
        self.userId = userId
        self.rating = rating
        self.publishedAt = publishedAt
    }
}

/// Moderation rejected a review (not produced in v1: reviews are published at once; the type is part of
/// the stream's contract so consumers can handle it from the start).
public struct ReviewRejected: DomainEvent, Equatable {
    public static let eventType = "ReviewRejected"
    public static let eventVersion = 1
    public static let aggregateType = "review"
    public static let topic = Topics.catalogReview

    public var reviewId: String
    public var productId: String
    public var userId: String
    public var rating: Int
    public var reason: String?
    public var rejectedAt: Date
    public var aggregateId: String { productId }

    public init(reviewId: String, productId: String, userId: String, rating: Int, reason: String?, rejectedAt: Date) {
        self.reviewId = reviewId
        self.productId = productId
        self.userId = userId
        self.rating = rating
        self.reason = reason
        self.rejectedAt = rejectedAt
    }
}
