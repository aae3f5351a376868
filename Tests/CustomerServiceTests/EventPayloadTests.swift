import Contracts
import Foundation
import Testing

/// The wire shape of `customer.customer.v1` payloads, which the order service's projections decode:
/// camelCase keys, the structured address nested as an `AddressSnapshot`, absent defaults as missing keys.
@Suite struct EventPayloadTests {
    @Test func addressAddedCarriesTheStructuredAddressAndFlags() throws {
        let snapshot = AddressSnapshot(addressId: "a1", recipientName: "Ada Lovelace", line1: "12 St James's Square", city: "London",
                                       postalCode: "SW1Y 4JH", country: "GB")
        let event = AddressAdded(userId: "u1", entry: AddressBookEntry(addressId: "a1", label: "Home", address: snapshot,
                                                                      isDefaultShipping: true, isDefaultBilling: false, version: 1))
        let json = try #require(try JSONSerialization.jsonObject(with: EventCoding.encoder().encode(event)) as? [String: Any])
        #expect(json["userId"] as? String == "u1")
        let entry = try #require(json["entry"] as? [String: Any])
        #expect(entry["addressId"] as? String == "a1" && entry["isDefaultShipping"] as? Bool == true)
        #expect(entry["isDefaultBilling"] as? Bool == false && entry["version"] as? Int == 1 && entry["label"] as? String == "Home")
        let address = try #require(entry["address"] as? [String: Any])
        #expect(address["country"] as? String == "GB" && address["postalCode"] as? String == "SW1Y 4JH")
        #expect(address["addressId"] as? String == "a1")
        #expect(try EventCoding.decoder().decode(AddressAdded.self, from: EventCoding.encoder().encode(event)) == event)
    }

    @Test func defaultAddressChangedToNoneLeavesTheIdsOut() throws {
        let event = DefaultAddressChanged(userId: "u1", defaultShippingAddressId: nil, defaultBillingAddressId: "a2")
        let text = String(decoding: try EventCoding.encoder().encode(event), as: UTF8.self)
        #expect(text == #"{"defaultBillingAddressId":"a2","userId":"u1"}"#)
        #expect(DefaultAddressChanged.topic == Topics.customerCustomer && DefaultAddressChanged.aggregateType == "customer")
        #expect(event.aggregateId == "u1")
    }
}
