import Contracts
import Foundation
import ServiceKit

/// Reads one address-book entry from customer (`GET /customers/{userId}/addresses/{addressId}`, which a
/// `svc:customer.read` token may call; 404 also when the address is another user's): the read-through of
/// checkout for an address the projection has not heard of yet.
struct CustomerReader: Sendable {
    let baseURL: String
    let reader: ServiceReader

    /// The entry as customer has it now, nil when it is not in `userId`'s book.
    func address(userId: String, addressId: String) async throws(OrderError) -> AddressBookEntry? {
        let url = baseURL + "/customers/" + ServiceReader.segment(userId) + "/addresses/" + ServiceReader.segment(addressId)
        guard case .found(let body) = try await reader.get(AddressBody.self, url, service: "customer") else { return nil }
        return AddressBookEntry(
            addressId: body.id.lowercased(), label: body.label,
            address: AddressSnapshot(addressId: body.id.lowercased(), recipientName: body.recipientName, phone: body.phone,
                                     line1: body.line1, line2: body.line2, city: body.city, state: body.state,
                                     postalCode: body.postalCode, country: body.country),
            isDefaultShipping: body.isDefaultShipping, isDefaultBilling: body.isDefaultBilling, version: body.version)
    }

    /// Customer's Address (API.md §2).
    private struct AddressBody: Decodable, Sendable {
        var id: String
        var label: String?
        var recipientName: String
        var phone: String?
        var line1: String
        var line2: String?
        var city: String
        var state: String?
        var postalCode: String
        var country: String
        var isDefaultShipping: Bool
        var isDefaultBilling: Bool
        var version: Int
    }
}
