import Hummingbird
import HTTPTypes
import ServiceKit

/// `/categories`: the public tree and the administrators' writes; `GET /categories/{id}/products` lists
/// the products of a whole subtree with the query of `GET /products`.
struct CategoryRoutes: Sendable {
    let catalog: Catalog

    func register(on app: ServiceApp, publicAccess: OptionalAuthMiddleware, admin: AuthMiddleware) {
        app.route(.get, "/categories", doc: OperationDoc("The category tree: roots with nested children, siblings by name",
                  tag: "categories", response: [CategoryDTO.example]),
                  middleware: [publicAccess], listCategories)
        app.route(.get, "/categories/:id", doc: OperationDoc("One category with its subtree", tag: "categories",
                  response: CategoryDTO.example, errors: [404]),
                  middleware: [publicAccess], getCategory)
        app.route(.get, "/categories/:id/products", doc: OperationDoc("Products of the category and all its descendants",
                  tag: "categories", response: PageDTO<ProductDTO>.example, errors: [400, 403, 404],
                  query: ListQueryParsing.productQueryDocs.filter { $0.name != "categoryId" }),
                  middleware: [publicAccess], listCategoryProducts)
        app.route(.post, "/categories", doc: OperationDoc("Create a category, a root without parentId (admin)", tag: "categories",
                  requiresAuth: true, request: CreateCategoryRequest.example, response: CategoryDTO.example, successStatus: 201,
                  errors: [400, 403, 409, 422]),
                  middleware: [admin], createCategory)
        app.route(.patch, "/categories/:id", doc: OperationDoc("Rename or move a category with its subtree (admin); version required",
                  tag: "categories", requiresAuth: true, request: PatchCategoryRequest.example, response: CategoryDTO.example,
                  errors: [400, 403, 404, 409, 422]),
                  middleware: [admin], updateCategory)
        app.route(.delete, "/categories/:id", doc: OperationDoc("Delete an empty category (admin)", tag: "categories",
                  requiresAuth: true, errors: [403, 404, 409]),
                  middleware: [admin], deleteCategory)
    }

    @Sendable func listCategories(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[CategoryDTO]> {
        EnvelopeResponse(try await catalog.categoryTree().map(CategoryDTO.init))
    }

    @Sendable func getCategory(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CategoryDTO> {
        EnvelopeResponse(CategoryDTO(try await catalog.category(id: try context.parameters.require("id"))))
    }

    @Sendable func listCategoryProducts(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<PageDTO<ProductDTO>> {
        let id = try context.parameters.require("id")
        // The scope is part of the cursor's query: a cursor of another category's list is refused.
        let query = try ListQueryParsing.productQuery(request, isAdmin: context.callerIsAdmin, scope: id)
        return EnvelopeResponse(ProductRoutes.page(try await catalog.listProducts(inCategory: id, query), query: query))
    }

    @Sendable func createCategory(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CategoryDTO> {
        let body = try await request.decodeJSON(CreateCategoryRequest.self, context: context) { body in
            var check = Validator()
            CategoryRules.checkName(body.name, &check)
            return check.errors
        }
        let category = try await catalog.createCategory(name: body.name, parentId: body.parentId, metadata: .of(request, context))
        return EnvelopeResponse(CategoryDTO(category), status: .created, message: "Created",
                                headers: [.location: "/categories/\(category.id)"])
    }

    @Sendable func updateCategory(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<CategoryDTO> {
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(PatchCategoryRequest.self, context: context)
        return EnvelopeResponse(CategoryDTO(try await catalog.updateCategory(id: id, change: body.change, metadata: .of(request, context))),
                                message: "Updated")
    }

    @Sendable func deleteCategory(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<EmptyPayload> {
        try await catalog.deleteCategory(id: try context.parameters.require("id"), metadata: .of(request, context))
        return .message("Deleted")
    }
}
