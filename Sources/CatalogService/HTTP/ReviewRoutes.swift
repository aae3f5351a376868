import Hummingbird
import HTTPTypes
import ServiceKit

/// `/products/{id}/reviews`: published reviews for everyone; one review per verified buyer.
struct ReviewRoutes: Sendable {
    let catalog: Catalog

    func register(on app: ServiceApp, publicAccess: OptionalAuthMiddleware, user: AuthMiddleware) {
        app.route(.get, "/products/:id/reviews", doc: OperationDoc("Published reviews of a product, newest first", tag: "reviews",
                  response: PageDTO<ReviewDTO>.example, errors: [400, 404], query: ListQueryParsing.pageQueryDocs),
                  middleware: [publicAccess], listReviews)
        app.route(.get, "/products/:id/reviews/:reviewId", doc: OperationDoc("One published review", tag: "reviews",
                  response: ReviewDTO.example, errors: [404]),
                  middleware: [publicAccess], getReview)
        app.route(.post, "/products/:id/reviews", doc: OperationDoc("Review a product delivered to you (user)", tag: "reviews",
                  requiresAuth: true, request: CreateReviewRequest.example, response: ReviewDTO.example, successStatus: 201,
                  errors: [400, 403, 404, 409]),
                  middleware: [user], submitReview)
    }

    @Sendable func listReviews(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<PageDTO<ReviewDTO>> {
        let productId = try context.parameters.require("id")
        let fingerprint = Catalog.reviewFingerprint(productId: productId)
        let window = try ListQueryParsing.window(request, fingerprint: fingerprint)
        let page = try await catalog.reviews(productId: productId, limit: window.limit, after: window.after)
        return EnvelopeResponse(PageDTO(items: page.items.map(ReviewDTO.init),
                                        nextCursor: page.next.map { ListCursor.encode($0, fingerprint: fingerprint) }))
    }

    @Sendable func getReview(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ReviewDTO> {
        let review = try await catalog.review(id: try context.parameters.require("reviewId"),
                                              productId: try context.parameters.require("id"))
        return EnvelopeResponse(ReviewDTO(review))
    }

    /// Checks in API.md §3.3's order: the role (403 for service tokens), 404 for an unknown or draft
    /// product, 400 for the body, then 403 without a delivered order and 409 for a second review.
    @Sendable func submitReview(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ReviewDTO> {
        let principal = try context.requirePrincipal()
        guard principal.roles.contains(Roles.customer) || principal.isAdmin else {
            throw APIError.forbidden("Reviews are written by users, not by service clients")
        }
        let productId = try context.parameters.require("id")
        _ = try await catalog.product(id: productId, includeDrafts: false)
        let body = try await request.decodeJSON(CreateReviewRequest.self, context: context) { $0.review.problems }
        let review = try await catalog.submitReview(productId: productId, userId: principal.subject, body.review,
                                                    metadata: .of(request, context))
        return EnvelopeResponse(ReviewDTO(review), status: .created, message: "Created",
                                headers: [.location: "/products/\(productId)/reviews/\(review.id)"])
    }
}
