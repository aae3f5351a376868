import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// A stack of its own with a short reservation lifetime (inventory's default TTL, 20 s: 6 s was too short to
/// pay in on a machine busy with a build; the order sends no ttlSeconds, whose floor is 60) and a 3-second
/// return window.
@Suite(.shopStack("expiry", settings: [
    "INVENTORY_RESERVATION_TTL_SECONDS": "20",
    "ORDER_RETURN_WINDOW_SECONDS": "3",
    "ORDER_PAYMENT_TIMEOUT_SECONDS": "30",
]))
struct ExpiryStack {
    /// C5: nobody pays; the reservation expires → CANCELLATION_PENDING → CANCELLED / RESERVATION_TIMEOUT, the
    /// stock released by inventory's sweeper; a payment after that is refused.
    @Test func c5ReservationExpiresBeforePayment() async throws {
        try await onStack { _, shop in
            let product = try await shop.stockedProduct(quantity: 3)
            let customer = try await shop.newCustomer()
            let order = try await shop.checkout(customer, product: product.productId, quantity: 2)
            try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
            try await shop.waitForStock(product.productId, onHand: 3, reserved: 2)
            let final = try await shop.waitForStatus(customer, order, "CANCELLED")
            #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "AWAITING_PAYMENT", "CANCELLATION_PENDING", "CANCELLED"])
            #expect(final["cancelReason"]?.stringValue == "RESERVATION_TIMEOUT")
            try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
            let late = try await shop.payAnswer(customer, order: order, token: "tok_success")
            #expect(late.status == 409, "paying an expired order: \(late.status) \(late.text.prefix(300))")
        }
    }

    /// The happy path's last step: DELIVERED → COMPLETED once the return window has elapsed; a return is
    /// then refused (409).
    @Test func deliveredCompletesAfterTheReturnWindow() async throws {
        try await onStack { _, shop in
            let (customer, _, order) = try await shop.fulfillingOrder()
            let shipment = try await shop.shipmentId(customer, order: order)
            try await shop.carrierEvent(shipment: shipment, status: "DISPATCHED")
            try await shop.carrierEvent(shipment: shipment, status: "DELIVERED")
            let final = try await shop.waitForStatus(customer, order, "COMPLETED")
            #expect(ShopClient.history(final) == [
                "PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "PAID", "FULFILLING", "SHIPPED", "DELIVERED", "COMPLETED",
            ])
            let late = try await shop.http.send(.POST, "/orders/\(order)/return", json: ["reason": "too late"], bearer: customer.token)
            #expect(late.status == 409)
        }
    }
}

/// A stack of its own whose inventory process the test freezes (SIGSTOP) and thaws (SIGCONT): nobody answers
/// ReserveStock for a while, then inventory catches up with the commands it missed.
@Suite(.serialized, .shopStack("inventory-down", settings: [
    "ORDER_RESERVATION_REPLY_TIMEOUT_SECONDS": "1",
    "ORDER_RESERVATION_RESENDS": "2",
]))
struct InventoryDownStack {
    /// C2: no reservation reply after the resends → CANCELLATION_PENDING (SYSTEM_TIMEOUT) with ReleaseStock
    /// sent; once inventory is back it reserves (the ReserveStock it missed) and releases → CANCELLED /
    /// SYSTEM_TIMEOUT, nothing left reserved.
    @Test func c2NoReservationReplyCancels() async throws {
        try await onStack { stack, shop in
            let product = try await shop.stockedProduct(quantity: 5, priceMinor: 500)
            let customer = try await shop.newCustomer()
            let address = try await shop.addAddress(customer)
            try await shop.setCartLine(customer, product: product.productId, quantity: 2)
            let inventory = try #require(stack.pid(of: "inventory"), "no inventory process on this stack")
            #expect(kill(inventory, SIGSTOP) == 0)
            var thawed = false
            defer { if !thawed { kill(inventory, SIGCONT) } }
            let order = try await shop.placeOrder(customer, address: address)
            let pending = try await shop.waitForStatus(customer, order, "CANCELLATION_PENDING")
            #expect(ShopClient.history(pending) == ["PENDING_RESERVATION", "CANCELLATION_PENDING"])
            #expect(pending["cancelReason"]?.stringValue == "SYSTEM_TIMEOUT")
            #expect(kill(inventory, SIGCONT) == 0)
            thawed = true
            let final = try await shop.waitForStatus(customer, order, "CANCELLED")
            #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "CANCELLATION_PENDING", "CANCELLED"])
            #expect(final["cancelReason"]?.stringValue == "SYSTEM_TIMEOUT")
            try await shop.waitForStock(product.productId, onHand: 5, reserved: 0)
            #expect(try await shop.payments(customer, order: order).isEmpty)
        }
    }

    /// C3 while reserving: the customer cancels in PENDING_RESERVATION (inventory frozen, so the order is
    /// still waiting for the reply) → CANCELLATION_PENDING / CUSTOMER_REQUEST; once inventory is back, the late
    /// StockReserved is answered with another release → CANCELLED / CUSTOMER_REQUEST, nothing left reserved.
    @Test func c3CustomerCancelsWhileReserving() async throws {
        try await onStack { stack, shop in
            let product = try await shop.stockedProduct(quantity: 4, priceMinor: 700)
            let customer = try await shop.newCustomer()
            let address = try await shop.addAddress(customer)
            try await shop.setCartLine(customer, product: product.productId, quantity: 3)
            let inventory = try #require(stack.pid(of: "inventory"), "no inventory process on this stack")
            #expect(kill(inventory, SIGSTOP) == 0)
            var thawed = false
            defer { if !thawed { kill(inventory, SIGCONT) } }
            let order = try await shop.placeOrder(customer, address: address)
            let cancel = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: customer.token)
            #expect(cancel.status == 202, "\(cancel.status) \(cancel.text.prefix(300))")
            let pending = try await shop.waitForStatus(customer, order, "CANCELLATION_PENDING")
            #expect(pending["cancelReason"]?.stringValue == "CUSTOMER_REQUEST")
            #expect(kill(inventory, SIGCONT) == 0)
            thawed = true
            let final = try await shop.waitForStatus(customer, order, "CANCELLED")
            #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "CANCELLATION_PENDING", "CANCELLED"])
            #expect(final["cancelReason"]?.stringValue == "CUSTOMER_REQUEST")
            try await shop.waitForStock(product.productId, onHand: 4, reserved: 0)
        }
    }
}
