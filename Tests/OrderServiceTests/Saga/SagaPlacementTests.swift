import Contracts
import Foundation
import Testing
@testable import OrderService

@Suite("Checkout saga: placement")
struct SagaPlacementTests {
    @Test func placingSendsReserveStockAndArmsTheReplyDeadline() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let price = Money(amountMinor: 1999, currency: .EUR)
        let line = OrderLine(productId: "p1", sku: "TS-RED-M", name: "Red T-shirt", quantity: 2, unitPrice: price,
                             lineTotal: Money(amountMinor: 3998, currency: .EUR))
        let address = AddressSnapshot(recipientName: "Ada", line1: "1 A St", city: "London", postalCode: "SW1", country: "GB")
        let order = SagaOrder(id: "o1", userId: "u1", status: .pendingReservation, lines: [line], total: line.lineTotal,
                              shippingAddress: address)
        let placed = OrderPlaced(orderId: "o1", userId: "u1", lines: [line], subtotal: line.lineTotal, total: line.lineTotal,
                                 shippingAddress: address, billingAddress: address, placedAt: now)
        var settings = SagaSettings()
        settings.reservationReplyTimeout = 30
        let decision = CheckoutSaga.place(order, placed: placed, now: now, settings: settings)
        #expect(decision.commands == [.reserveStock(ReserveStock(orderId: "o1", lines: [ProductQuantity(productId: "p1", quantity: 2)]))])
        #expect(decision.events == [.placed(placed)])
        #expect(decision.deadline == .set(SagaDeadline(.reservationReply, dueAt: now.addingTimeInterval(30))))
    }
}
