import Contracts
import Foundation
import Testing

@testable import CatalogService

@Suite("Reviews: verified purchases, one per user, the product's rating")
struct ReviewTests {
    @Test func onlyVerifiedBuyersMayReviewAndOnlyOnce() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1")
        let user = UUID().uuidString.lowercased()
        #expect(await catalogError { try await fixture.catalog.submitReview(productId: product.id, userId: user, NewReview(rating: 5)) }
                == .notVerifiedPurchase)

        try await fixture.apply(OrderDelivered(orderId: "o-1", userId: user, productIds: [product.id], deliveredAt: Date()))
        let review = try await fixture.catalog.submitReview(productId: product.id, userId: user,
                                                            NewReview(rating: 4, title: "Good", comment: "Fits"))
        #expect(review.status == .published && review.verifiedPurchase)
        #expect(await catalogError { try await fixture.catalog.submitReview(productId: product.id, userId: user, NewReview(rating: 1)) }
                == .alreadyReviewed)

        let events = try await fixture.outbox().filter { $0.topic == Topics.catalogReview || $0.eventType == "ProductRatingUpdated" }
        #expect(events.map(\.eventType) == ["ReviewSubmitted", "ReviewPublished", "ProductRatingUpdated"])
        #expect(events.allSatisfy { $0.aggregateId == product.id })
    }

    @Test func unknownOrDraftProductsComeBeforeValidation() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let draft = try await fixture.product("D-1", status: .draft)
        #expect(await catalogError { try await fixture.catalog.submitReview(productId: draft.id, userId: "u", NewReview(rating: 9)) }
                == .productNotFound)
        let product = try await fixture.product("P-1")
        guard case .validation(let errors)? = await catalogError({
            try await fixture.catalog.submitReview(productId: product.id, userId: "u", NewReview(rating: 0, title: String(repeating: "t", count: 201)))
        }) else {
            Issue.record("expected a validation error")
            return
        }
        #expect(Set(errors.map(\.field)) == ["rating", "title"])
    }

    @Test func ratingIsTheMeanTimesHundredRoundedHalfUp() async throws {
        #expect(RatingSummary.none.averageX100 == 0)
        #expect(RatingSummary(sum: 9, count: 2).averageX100 == 450)
        #expect(RatingSummary(sum: 10, count: 3).averageX100 == 333)
        #expect(RatingSummary(sum: 5, count: 3).averageX100 == 167)
        #expect(RatingSummary(sum: 1, count: 8).averageX100 == 13)

        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1")
        for rating in [5, 4, 4] {
            let user = UUID().uuidString.lowercased()
            try await fixture.apply(OrderDelivered(orderId: UUID().uuidString, userId: user, productIds: [product.id], deliveredAt: Date()))
            fixture.clock.advance(by: 1)
            _ = try await fixture.catalog.submitReview(productId: product.id, userId: user, NewReview(rating: rating))
        }
        let read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.rating.count == 3 && read.rating.averageX100 == 433)
        #expect(read.version == 1, "a rating is derived data and does not bump the version")
        let last = try await fixture.outbox().last { $0.eventType == "ProductRatingUpdated" }?.decode(ProductRatingUpdated.self)
        #expect(last?.ratingAverageX100 == 433 && last?.ratingCount == 3)
    }

    @Test func reviewsPageNewestFirst() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1")
        var made: [String] = []
        for index in 0..<7 {
            let user = "user-\(index)"
            try await fixture.apply(OrderDelivered(orderId: "o-\(index)", userId: user, productIds: [product.id], deliveredAt: Date()))
            fixture.clock.advance(by: index % 2 == 0 ? 1 : 0)  // some share a timestamp: the id breaks the tie
            made.append(try await fixture.catalog.submitReview(productId: product.id, userId: user, NewReview(rating: 3)).id)
        }
        var seen: [Review] = []
        var after: ListPosition?
        repeat {
            let page = try await fixture.catalog.reviews(productId: product.id, limit: 3, after: after)
            seen += page.items
            after = page.next
        } while after != nil
        #expect(seen.count == 7 && Set(seen.map(\.id)) == Set(made))
        #expect(seen == seen.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) })
    }

    @Test func stockReportsKeepTheNewest() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1")
        let t0 = Date()
        try await fixture.apply(StockLevelChanged(productId: product.id, onHand: 10, reserved: 2, available: 8, changedAt: t0))
        var read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.availability == Availability(inStock: true, availableQuantity: 8))
        try await fixture.apply(StockLevelChanged(productId: product.id, onHand: 10, reserved: 0, available: 10, changedAt: t0.addingTimeInterval(-5)))
        read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.availability?.availableQuantity == 8, "an older report does not overwrite a newer one")
        try await fixture.apply(ProductOutOfStock(productId: product.id, at: t0.addingTimeInterval(1)))
        read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.availability == Availability(inStock: false, availableQuantity: 0))
        try await fixture.apply(ProductBackInStock(productId: product.id, available: 3, at: t0.addingTimeInterval(2)))
        read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.availability == Availability(inStock: true, availableQuantity: 3))
    }
}
