import Hummingbird
import HTTPTypes
import ServiceKit

/// `/products`: the public catalogue (drafts for administrators only) and the administrators' writes.
struct ProductRoutes: Sendable {
    let catalog: Catalog

    func register(on app: ServiceApp, publicAccess: OptionalAuthMiddleware, admin: AuthMiddleware) {
        app.route(.get, "/products", doc: OperationDoc("List products: filters, full-text search, sorts, keyset paging", tag: "products",
                  response: PageDTO<ProductDTO>.example, errors: [400, 403], query: ListQueryParsing.productQueryDocs),
                  middleware: [publicAccess], listProducts)
        app.route(.get, "/products/:id", doc: OperationDoc("One product (drafts only for administrators)", tag: "products",
                  response: ProductDTO.example, errors: [404]),
                  middleware: [publicAccess], getProduct)
        app.route(.post, "/products", doc: OperationDoc("Create a product (admin)", tag: "products", requiresAuth: true,
                  request: CreateProductRequest.example, response: ProductDTO.example, successStatus: 201, errors: [400, 403, 409, 422]),
                  middleware: [admin], createProduct)
        app.route(.patch, "/products/:id", doc: OperationDoc("Change a product (admin); version required", tag: "products",
                  requiresAuth: true, request: PatchProductRequest.example, response: ProductDTO.example,
                  errors: [400, 403, 404, 409, 422]),
                  middleware: [admin], updateProduct)
    }

    @Sendable func listProducts(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<PageDTO<ProductDTO>> {
        let query = try ListQueryParsing.productQuery(request, isAdmin: context.callerIsAdmin)
        return EnvelopeResponse(Self.page(try await catalog.listProducts(query), query: query))
    }

    @Sendable func getProduct(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ProductDTO> {
        let id = try context.parameters.require("id")
        return EnvelopeResponse(ProductDTO(try await catalog.product(id: id, includeDrafts: context.callerIsAdmin)))
    }

    @Sendable func createProduct(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ProductDTO> {
        let body = try await request.decodeJSON(CreateProductRequest.self, context: context) { $0.problems }
        let product = try await catalog.createProduct(body.newProduct, metadata: .of(request, context))
        return EnvelopeResponse(ProductDTO(product), status: .created, message: "Created", headers: [.location: "/products/\(product.id)"])
    }

    @Sendable func updateProduct(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ProductDTO> {
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(PatchProductRequest.self, context: context) { $0.problems }
        let product = try await catalog.updateProduct(id: id, change: body.change, metadata: .of(request, context))
        return EnvelopeResponse(ProductDTO(product), message: "Updated")
    }

    static func page(_ page: Page<Product>, query: ProductQuery) -> PageDTO<ProductDTO> {
        PageDTO(items: page.items.map(ProductDTO.init),
                nextCursor: page.next.map { ListCursor.encode($0, fingerprint: query.fingerprint) })
    }
}

extension EventMetadata {
    /// Envelope metadata of events a request causes: the request id correlates them, traceparent passes on.
    static func of(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}
