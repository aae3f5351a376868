import Foundation
import ServiceKit

/// A review on the wire (API.md §3.3); `title` and `comment` are null when not given.
struct ReviewDTO: Codable, Sendable {
    var id: String
    var productId: String
    var rating: Int
    var title: String?
    var comment: String?
    var status: String
    var verifiedPurchase: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ review: Review) {
        id = review.id
        productId = review.productId
        rating = review.rating
        title = review.title
        comment = review.comment
        status = review.status.rawValue
        verifiedPurchase = review.verifiedPurchase
        createdAt = review.createdAt
        updatedAt = review.updatedAt
    }

    enum CodingKeys: String, CodingKey { case id, productId, rating, title, comment, status, verifiedPurchase, createdAt, updatedAt }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(productId, forKey: .productId)
        try container.encode(rating, forKey: .rating)
        try container.encode(title, forKey: .title)
        try container.encode(comment, forKey: .comment)
        try container.encode(status, forKey: .status)
        try container.encode(verifiedPurchase, forKey: .verifiedPurchase)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    static let example = ReviewDTO(Review(
        id: "0193a1b2-0000-7000-8000-0000000000a1", productId: "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
        userId: "", rating: 5, title: nil, comment: nil, status: .published, verifiedPurchase: true,
        createdAt: Date(timeIntervalSince1970: 1_764_100_886.123), updatedAt: Date(timeIntervalSince1970: 1_764_100_886.123)))
}

extension PageDTO where Item == ReviewDTO {
    static let example = PageDTO(items: [ReviewDTO.example], nextCursor: nil)
}

struct CreateReviewRequest: Codable, Sendable, ValidatedBody {
    var rating: Int
    var title: String?
    var comment: String?

    init(rating: Int, title: String?, comment: String?) {
        self.rating = rating
        self.title = title
        self.comment = comment
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rating = try container.decodeInteger(Int.self, forKey: .rating)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        comment = try container.decodeIfPresent(String.self, forKey: .comment)
    }

    static let example = CreateReviewRequest(rating: 5, title: "Great fit", comment: "Fits well")

    static let rules: [FieldRule<Self>] = [
        .integer("rating", \.rating, Int64(NewReview.ratingRange.lowerBound)...Int64(NewReview.ratingRange.upperBound)),
        .text("title", \.title, length: 0...NewReview.titleMaximum),
        .text("comment", \.comment, length: 0...NewReview.commentMaximum),
    ]

    var review: NewReview { NewReview(rating: rating, title: title, comment: comment) }
}
