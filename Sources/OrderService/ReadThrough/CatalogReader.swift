import Contracts
import Foundation
import ServiceKit

/// Reads one product from catalog (`GET /products/{id}`, public, sent with the service token): the
/// read-through of `PUT /cart/items/{productId}` for a product the projection has not heard of yet.
struct CatalogReader: Sendable {
    let baseURL: String
    let reader: ServiceReader

    /// The product as catalog has it now; nil when catalog does not know it or it is a draft (catalog
    /// shows drafts to admins only, so a service token sees them as 404 anyway).
    func product(id productId: String) async throws(OrderError) -> ProjectedProduct? {
        let url = baseURL + "/products/" + ServiceReader.segment(productId)
        guard case .found(let body) = try await reader.get(ProductBody.self, url, service: "catalog") else { return nil }
        guard body.status != ProjectedProduct.draft else { return nil }
        let currency: Currency
        do { currency = try Currency(code: body.price.currency) } catch {
            throw .dependencyUnavailable(service: "catalog", reason: "product \(productId) has an unknown currency \(body.price.currency)")
        }
        return ProjectedProduct(productId: body.id.lowercased(), sku: body.sku, name: body.name,
                                price: Money(amountMinor: body.price.amountMinor, currency: currency), status: body.status,
                                version: body.version)
    }

    /// The part of catalog's Product (API.md §3) the projection keeps.
    private struct ProductBody: Decodable, Sendable {
        struct Price: Decodable, Sendable {
            var amountMinor: Int64
            var currency: String
        }

        var id: String
        var sku: String
        var name: String
        var price: Price
        var status: String
        var version: Int
    }
}
