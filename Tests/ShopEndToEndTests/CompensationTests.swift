import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// API.md §4.3's table, path by path, with the simulated PSP's tokens (§6) and carrier events (§7): the
/// observable status sequence (`statusHistory`), the final `cancelReason`, the money (payments of the order)
/// and the stock.
extension SharedStack {
    @Suite struct Compensations {
        // MARK: Before payment

        /// C1: any line short → CANCELLED / OUT_OF_STOCK, nothing reserved (all or nothing over the lines).
        @Test func c1OutOfStockReservesNothing() async throws {
            try await onStack { _, shop in
                let plenty = try await shop.stockedProduct(quantity: 10)
                let scarce = try await shop.stockedProduct(quantity: 1)
                let customer = try await shop.newCustomer()
                let address = try await shop.addAddress(customer)
                try await shop.setCartLine(customer, product: plenty.productId, quantity: 5)
                try await shop.setCartLine(customer, product: scarce.productId, quantity: 2)
                let order = try await shop.placeOrder(customer, address: address)
                let final = try await shop.waitForStatus(customer, order, "CANCELLED")
                #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "CANCELLED"])
                #expect(final["cancelReason"]?.stringValue == "OUT_OF_STOCK")
                try await shop.waitForStock(plenty.productId, onHand: 10, reserved: 0)
                try await shop.waitForStock(scarce.productId, onHand: 1, reserved: 0)
                #expect(try await shop.payments(customer, order: order).isEmpty)
                // No payment is possible for a cancelled order.
                let late = try await shop.payAnswer(customer, order: order, token: "tok_success")
                #expect(late.status == 409, "\(late.status) \(late.text.prefix(300))")
            }
        }

        /// C3: the customer cancels in AWAITING_PAYMENT → CANCELLATION_PENDING → CANCELLED / CUSTOMER_REQUEST,
        /// the reservation released; cancelling again answers 200 unchanged.
        @Test func c3CustomerCancelsBeforePaying() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 4)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 3)
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                try await shop.waitForStock(product.productId, onHand: 4, reserved: 3)
                let cancel = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: ["reason": "changed my mind"], bearer: customer.token)
                #expect(cancel.status == 202, "\(cancel.status) \(cancel.text.prefix(300))")
                let final = try await shop.waitForStatus(customer, order, "CANCELLED")
                #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "AWAITING_PAYMENT", "CANCELLATION_PENDING", "CANCELLED"])
                #expect(final["cancelReason"]?.stringValue == "CUSTOMER_REQUEST")
                try await shop.waitForStock(product.productId, onHand: 4, reserved: 0)
                let again = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: customer.token)
                #expect(again.status == 200, "cancelling a cancelled order: \(again.status)")
                #expect(try await shop.payments(customer, order: order).isEmpty)
            }
        }

        /// C4: retryable declines return to AWAITING_PAYMENT (attempts counted, reservation kept); the third
        /// failed attempt cancels with PAYMENT_FAILED and releases the stock. No money moves.
        @Test func c4RetryableDeclinesUntilMaxAttempts() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 5)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 2)
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                for (attempt, token) in ["tok_declined", "tok_insufficient_funds"].enumerated() {
                    let payment = try await shop.pay(customer, order: order, token: token)
                    #expect(payment["status"]?.stringValue == "FAILED")
                    #expect(payment["retryable"]?.boolValue == true)
                    #expect(payment["failureCode"]?.stringValue == (token == "tok_declined" ? "CARD_DECLINED" : "INSUFFICIENT_FUNDS"))
                    let back = try await shop.waitForStatus(customer, order, ["AWAITING_PAYMENT"]) { $0["paymentAttempts"]?.intValue == attempt + 1 }
                    #expect(back["cancelReason"] == .null)
                    let level = try await shop.stock(product.productId)
                    #expect(level.reserved == 2, "the reservation is kept after a retryable decline: \(level)")
                }
                _ = try await shop.pay(customer, order: order, token: "tok_declined")
                let final = try await shop.waitForStatus(customer, order, "CANCELLED")
                #expect(ShopClient.history(final) == [
                    "PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "AWAITING_PAYMENT", "PAYMENT_PROCESSING",
                    "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "CANCELLATION_PENDING", "CANCELLED",
                ])
                #expect(final["cancelReason"]?.stringValue == "PAYMENT_FAILED")
                #expect(final["paymentAttempts"]?.intValue == 3)
                try await shop.waitForStock(product.productId, onHand: 5, reserved: 0)
                let payments = try await shop.payments(customer, order: order)
                #expect(payments.count == 3)
                #expect(payments.allSatisfy { $0["status"]?.stringValue == "FAILED" && ShopClient.minor($0["captured"]) ?? 0 == 0 })
            }
        }

        /// C4′: a final decline (tok_fraud) → CANCELLATION_PENDING → CANCELLED / FRAUD_SUSPECTED.
        @Test func c4FraudIsFinal() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 3)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 1)
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let payment = try await shop.pay(customer, order: order, token: "tok_fraud")
                #expect(payment["status"]?.stringValue == "FAILED")
                #expect(payment["failureCode"]?.stringValue == "FRAUD_SUSPECTED")
                #expect(payment["retryable"]?.boolValue == false)
                let final = try await shop.waitForStatus(customer, order, "CANCELLED")
                #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "CANCELLATION_PENDING", "CANCELLED"])
                #expect(final["cancelReason"]?.stringValue == "FRAUD_SUSPECTED")
                try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
            }
        }

        /// C6: the PSP never answers (tok_timeout) → after the payment timeout: void + release → CANCELLED /
        /// PAYMENT_TIMEOUT; the payment ends VOIDED, nothing captured.
        @Test func c6PaymentTimeoutVoidsAndReleases() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 3)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 2)
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                // The initiate call itself waits for the PSP's call deadline (20 s): the saga does not wait for it.
                let initiate = Task { try await shop.payAnswer(customer, order: order, token: "tok_timeout") }
                let final = try await shop.waitForStatus(customer, order, "CANCELLED")
                #expect(ShopClient.history(final) == ["PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "CANCELLATION_PENDING", "CANCELLED"])
                #expect(final["cancelReason"]?.stringValue == "PAYMENT_TIMEOUT")
                try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
                let answer = try await initiate.value
                #expect(answer.status == 201, "initiate with tok_timeout: \(answer.status) \(answer.text.prefix(300))")
                try await eventually("the timed-out payment is VOIDED", timeout: ShopClient.waitBound, every: ShopClient.pollInterval) {
                    try await shop.payments(customer, order: order).first?["status"]?.stringValue == "VOIDED"
                }
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["captured"]) ?? 0 == 0)
                let still = try await shop.order(customer, order)
                #expect(still["status"]?.stringValue == "CANCELLED", "a voided payment leaves the order cancelled")
            }
        }

        /// C7: the capture lands after the order's payment timed out (tok_delayed_success captured 2 s after
        /// initiation, the reconciler's own status poll not due before 20 s, the order's timeout at 12 s: the void
        /// finds the charge captured) → REFUND_PENDING → REFUNDED, the full amount refunded, the order never
        /// reopens (never PAID), its cancelReason PAYMENT_TIMEOUT kept, the stock released.
        @Test func c7LateCaptureIsRefundedInFull() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 3, priceMinor: 2550)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 2)
                let awaiting = try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let total = try #require(ShopClient.total(awaiting))
                let payment = try await shop.pay(customer, order: order, token: "tok_delayed_success")
                #expect(payment["status"]?.stringValue == "INITIATED")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                let history = ShopClient.history(final)
                // With the simulated PSP the capture becomes known when the void the timeout asked for reaches it,
                // so the order is still CANCELLATION_PENDING then and goes on to REFUND_PENDING (the diagram's
                // "compensations acked, refund outstanding") rather than through CANCELLED; both are the contract.
                #expect(isSubsequence(["AWAITING_PAYMENT", "PAYMENT_PROCESSING", "CANCELLATION_PENDING", "REFUND_PENDING", "REFUNDED"], of: history), "\(history)")
                #expect(history.last(where: { !["REFUND_PENDING", "REFUNDED"].contains($0) }).map { ["CANCELLED", "CANCELLATION_PENDING"].contains($0) } == true, "\(history)")
                #expect(!history.contains("PAID"), "the order never reopens: \(history)")
                #expect(final["cancelReason"]?.stringValue == "PAYMENT_TIMEOUT")
                let payments = try await shop.payments(customer, order: order)
                #expect(payments.count == 1)
                #expect(ShopClient.minor(payments.first?["captured"]) == total)
                #expect(ShopClient.minor(payments.first?["refunded"]) == total)
                #expect(payments.first?["status"]?.stringValue == "REFUNDED")
                try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
            }
        }

        // MARK: After the pivot

        /// C8: the reservation is gone when the paid order commits (released behind the order's back by a
        /// ReleaseStock command published straight to `inventory.commands`), and the one re-reservation
        /// fails because another order took the last unit → PAID → CANCELLATION_PENDING → REFUND_PENDING →
        /// REFUNDED / OUT_OF_STOCK, the capture refunded in full.
        @Test func c8CommitFailsAfterPaymentIsRefunded() async throws {
            try await onStack { stack, shop in
                let product = try await shop.stockedProduct(quantity: 1)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 1)
                let awaiting = try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let total = try #require(ShopClient.total(awaiting))
                let publisher = try TestEventPublisher(bootstrap: stack.brokerBootstrap, producerName: "e2e-c8")
                do {
                    try await publisher.publish(ReleaseStock(orderId: order, reason: "E2E_LOST_RESERVATION"), correlationId: order)
                } catch {
                    await publisher.close()
                    throw error
                }
                await publisher.close()
                try await shop.waitForStock(product.productId, onHand: 1, reserved: 0)
                // Another buyer takes the last unit.
                let rival = try await shop.newCustomer("rival")
                let rivalOrder = try await shop.checkout(rival, product: product.productId, quantity: 1)
                try await shop.waitForStatus(rival, rivalOrder, "AWAITING_PAYMENT")
                // The first order still awaits payment (a release it did not ask for is no reason to move).
                let before = try await shop.order(customer, order)
                #expect(before["status"]?.stringValue == "AWAITING_PAYMENT")
                _ = try await shop.pay(customer, order: order, token: "tok_success")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                let history = ShopClient.history(final)
                #expect(isSubsequence(["PAID", "CANCELLATION_PENDING", "REFUND_PENDING", "REFUNDED"], of: history), "\(history)")
                #expect(!history.contains("FULFILLING"))
                #expect(final["cancelReason"]?.stringValue == "OUT_OF_STOCK")
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["refunded"]) == total)
                #expect(payment["status"]?.stringValue == "REFUNDED")
                // The rival's reservation is untouched.
                try await shop.waitForStock(product.productId, onHand: 1, reserved: 1)
                let rivalNow = try await shop.order(rival, rivalOrder)
                #expect(rivalNow["status"]?.stringValue == "AWAITING_PAYMENT")
            }
        }

        /// C9: the carrier refuses the destination (the simulated carrier never delivers to AQ) → REFUND_PENDING
        /// → REFUNDED / SHIPPING_FAILED; the committed stock is returned and the payment refunded in full.
        @Test func c9ShipmentCreationFailsFinally() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 4)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 2, country: "AQ")
                let awaiting = try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let total = try #require(ShopClient.total(awaiting))
                _ = try await shop.pay(customer, order: order, token: "tok_success")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                let history = ShopClient.history(final)
                #expect(isSubsequence(["PAID", "REFUND_PENDING", "REFUNDED"], of: history), "\(history)")
                #expect(!history.contains("SHIPPED"))
                #expect(final["cancelReason"]?.stringValue == "SHIPPING_FAILED")
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["captured"]) == total)
                #expect(ShopClient.minor(payment["refunded"]) == total)
                try await shop.waitForStock(product.productId, onHand: 4, reserved: 0)
            }
        }

        /// C10: the customer cancels in FULFILLING (before dispatch) → CANCELLATION_PENDING → REFUND_PENDING →
        /// REFUNDED / CUSTOMER_REQUEST: shipment cancelled, stock returned, payment refunded in full.
        @Test func c10CustomerCancelsAfterPaying() async throws {
            try await onStack { _, shop in
                let (customer, product, order) = try await shop.fulfillingOrder(quantity: 2, stockQuantity: 5)
                try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
                let total = try #require(ShopClient.total(try await shop.order(customer, order)))
                let cancel = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: customer.token)
                #expect(cancel.status == 202, "\(cancel.status) \(cancel.text.prefix(300))")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                #expect(ShopClient.history(final) == [
                    "PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "PAID", "FULFILLING",
                    "CANCELLATION_PENDING", "REFUND_PENDING", "REFUNDED",
                ])
                #expect(final["cancelReason"]?.stringValue == "CUSTOMER_REQUEST")
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["refunded"]) == total)
                #expect(payment["status"]?.stringValue == "REFUNDED")
                try await shop.waitForStock(product.productId, onHand: 5, reserved: 0)
                let tracking = try await shop.waitForTracking(customer, order: order)
                #expect(tracking["status"]?.stringValue == "CANCELLED")
            }
        }

        /// C10's race boundary: once shipped, a cancel answers 409 (a return is the way).
        @Test func cancelAfterDispatchIsRefused() async throws {
            try await onStack { _, shop in
                let (customer, _, order) = try await shop.fulfillingOrder()
                let shipment = try await shop.shipmentId(customer, order: order)
                try await shop.carrierEvent(shipment: shipment, status: "DISPATCHED")
                try await shop.waitForStatus(customer, order, "SHIPPED")
                let cancel = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: customer.token)
                #expect(cancel.status == 409, "\(cancel.status) \(cancel.text.prefix(300))")
            }
        }

        /// C11: a final delivery failure or a return to sender → SHIPPED → RETURNED → REFUND_PENDING →
        /// REFUNDED, cancelReason null; stock returned, payment refunded in full.
        @Test(arguments: ["DELIVERY_FAILED", "RETURNED_TO_SENDER"])
        func c11ParcelComesBack(_ carrierStatus: String) async throws {
            try await onStack { _, shop in
                let (customer, product, order) = try await shop.fulfillingOrder(quantity: 1, stockQuantity: 2)
                let total = try #require(ShopClient.total(try await shop.order(customer, order)))
                let shipment = try await shop.shipmentId(customer, order: order)
                try await shop.carrierEvent(shipment: shipment, status: "DISPATCHED")
                try await shop.waitForStatus(customer, order, "SHIPPED")
                if carrierStatus == "DELIVERY_FAILED" {
                    try await shop.carrierEvent(shipment: shipment, status: "DELIVERY_FAILED", location: "London", final: true)
                } else {
                    try await shop.carrierEvent(shipment: shipment, status: "IN_TRANSIT")
                    try await shop.carrierEvent(shipment: shipment, status: "RETURNED_TO_SENDER")
                }
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                #expect(ShopClient.history(final) == [
                    "PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "PAID", "FULFILLING", "SHIPPED",
                    "RETURNED", "REFUND_PENDING", "REFUNDED",
                ])
                #expect(final["cancelReason"] == .null)
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["refunded"]) == total)
                try await shop.waitForStock(product.productId, onHand: 2, reserved: 0)
            }
        }

        /// C12: a return after delivery → RETURN_REQUESTED → (received) RETURNED → REFUND_PENDING → REFUNDED.
        @Test func c12CustomerReturnsAfterDelivery() async throws {
            try await onStack { stack, shop in
                let (customer, product, order) = try await shop.fulfillingOrder(quantity: 2, stockQuantity: 2)
                let total = try #require(ShopClient.total(try await shop.order(customer, order)))
                let shipment = try await shop.shipmentId(customer, order: order)
                try await shop.carrierEvent(shipment: shipment, status: "DISPATCHED")
                try await shop.carrierEvent(shipment: shipment, status: "DELIVERED")
                try await shop.waitForStatus(customer, order, "DELIVERED")
                try await shop.waitForStock(product.productId, onHand: 0, reserved: 0)
                let requested = try await shop.http.send(.POST, "/orders/\(order)/return", json: ["reason": "too small"], bearer: customer.token)
                #expect(requested.status == 202, "\(requested.status) \(requested.text.prefix(300))")
                #expect(requested.data?["status"]?.stringValue == "RETURN_REQUESTED")
                let admin = try await stack.admin()
                let received = try await shop.http.send(.POST, "/orders/\(order)/return/receive", json: [:], bearer: admin)
                #expect(received.status == 202, "\(received.status) \(received.text.prefix(300))")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                #expect(ShopClient.history(final) == [
                    "PENDING_RESERVATION", "AWAITING_PAYMENT", "PAYMENT_PROCESSING", "PAID", "FULFILLING", "SHIPPED",
                    "DELIVERED", "RETURN_REQUESTED", "RETURNED", "REFUND_PENDING", "REFUNDED",
                ])
                let payment = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(payment["refunded"]) == total)
                try await shop.waitForStock(product.productId, onHand: 2, reserved: 0)
            }
        }

        /// C13: every refund fails (tok_refund_fails) → REFUND_PENDING → REFUND_FAILED after the retries;
        /// an admin refund of the captured amount closes it → REFUNDED (API.md §4.3). The simulated PSP
        /// declines the saga's refunds of a tok_refund_fails payment and lets an operator's through.
        @Test func c13RefundFailsThenAdminRefundCloses() async throws {
            try await onStack { stack, shop in
                let (customer, _, order) = try await shop.fulfillingOrder(token: "tok_refund_fails")
                let total = try #require(ShopClient.total(try await shop.order(customer, order)))
                let cancel = try await shop.http.send(.POST, "/orders/\(order)/cancel", json: [:], bearer: customer.token)
                #expect(cancel.status == 202)
                let failed = try await shop.waitForStatus(customer, order, "REFUND_FAILED")
                #expect(isSubsequence(["CANCELLATION_PENDING", "REFUND_PENDING", "REFUND_FAILED"], of: ShopClient.history(failed)))
                #expect(failed["cancelReason"]?.stringValue == "CUSTOMER_REQUEST")
                #expect(failed["stuck"]?.boolValue == true, "the refund step exhausted its retries (API.md §4.2 `stuck`)")
                let payment = try #require(try await shop.payments(customer, order: order).first)
                let paymentId = try #require(payment["id"]?.stringValue)
                #expect(ShopClient.minor(payment["refunded"]) ?? 0 == 0)
                let refunds = payment["refunds"]?.arrayValue ?? []
                #expect(refunds.count >= 2, "the saga retried the refund: \(refunds.count) refunds")
                #expect(refunds.allSatisfy { $0["status"]?.stringValue == "FAILED" && $0["failureCode"]?.stringValue == "REFUND_DECLINED" })
                // The operator closes it.
                let admin = try await stack.admin()
                let refund = try await shop.http.send(.POST, "/payments/\(paymentId)/refunds",
                                                      json: ["amountMinor": .integer(total), "reason": "manual refund after REFUND_FAILED"],
                                                      bearer: admin, headers: [("Idempotency-Key", UUID().uuidString)])
                #expect(refund.status == 201, "\(refund.status) \(refund.text.prefix(300))")
                #expect(refund.data?["status"]?.stringValue == "SUCCEEDED", "admin refund: \(refund.text.prefix(400))")
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                #expect(ShopClient.history(final).suffix(2) == ["REFUND_FAILED", "REFUNDED"])
            }
        }

        /// C14: a poison message for the order (an undecodable PaymentSucceeded on `payment.payment.v1`, keyed
        /// by the order id) is parked and the order flagged `stuck`, its status unchanged.
        @Test func c14PoisonMessageFlagsTheOrderStuck() async throws {
            try await onStack { stack, shop in
                let product = try await shop.stockedProduct(quantity: 2)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 1)
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let publisher = try RawRecordPublisher(bootstrap: stack.brokerBootstrap)
                do {
                    try await publisher.publish(topic: "payment.payment.v1", key: order, eventType: "PaymentSucceeded",
                                                aggregateType: "payment", payload: #"{"orderId":"#, correlationId: order)
                } catch {
                    await publisher.close()
                    throw error
                }
                await publisher.close()
                let stuck = try await shop.waitForStatus(customer, order, ["AWAITING_PAYMENT"]) { $0["stuck"]?.boolValue == true }
                #expect(ShopClient.history(stuck) == ["PENDING_RESERVATION", "AWAITING_PAYMENT"])
                let admin = try await stack.admin()
                let listed = try await shop.http.get("/orders?stuck=true&userId=\(customer.id)", bearer: admin)
                #expect(listed.data?["items"]?.arrayValue?.contains { $0["id"]?.stringValue == order } == true, "\(listed.status) \(listed.text.prefix(300))")
            }
        }

        /// C15: the PSP captured total + 1 → never PAID: stuck, the captured amount refunded exactly →
        /// REFUND_PENDING → REFUNDED / PAYMENT_FAILED, the reservation released.
        @Test func c15AmountMismatchIsRefundedExactly() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 3, priceMinor: 1234)
                let customer = try await shop.newCustomer()
                let order = try await shop.checkout(customer, product: product.productId, quantity: 2)
                let awaiting = try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let total = try #require(ShopClient.total(awaiting))
                let payment = try await shop.pay(customer, order: order, token: "tok_amount_mismatch")
                #expect(payment["status"]?.stringValue == "CAPTURED")
                #expect(ShopClient.minor(payment["captured"]) == total + 1)
                let final = try await shop.waitForStatus(customer, order, "REFUNDED")
                let history = ShopClient.history(final)
                #expect(!history.contains("PAID"), "\(history)")
                #expect(isSubsequence(["PAYMENT_PROCESSING", "REFUND_PENDING", "REFUNDED"], of: history), "\(history)")
                #expect(final["stuck"]?.boolValue == true)
                #expect(final["cancelReason"]?.stringValue == "PAYMENT_FAILED")
                let after = try #require(try await shop.payments(customer, order: order).first)
                #expect(ShopClient.minor(after["refunded"]) == total + 1, "refunds exactly the captured amount")
                #expect(after["status"]?.stringValue == "REFUNDED")
                try await shop.waitForStock(product.productId, onHand: 3, reserved: 0)
            }
        }

        /// C16: a duplicate POST /orders (same key, same body) replays the stored 201 and starts no second
        /// saga; another body with that key is 422; a duplicate initiate makes no second payment.
        @Test func c16DuplicatesAreReplayed() async throws {
            try await onStack { _, shop in
                let product = try await shop.stockedProduct(quantity: 5)
                let customer = try await shop.newCustomer()
                let address = try await shop.addAddress(customer)
                try await shop.setCartLine(customer, product: product.productId, quantity: 1)
                let key = UUID().uuidString
                let first = try shop.expectStatus(try await shop.placeOrderAnswer(customer, address: address, key: key), 201, "first POST /orders")
                let second = try await shop.placeOrderAnswer(customer, address: address, key: key)
                #expect(second.status == 201)
                #expect(second.header("Idempotent-Replayed") == "true")
                #expect(second.body == first.body, "the replay is byte-identical")
                let other = try await shop.http.send(.POST, "/orders", json: ["shippingAddressId": .string(address), "billingAddressId": .string(address)],
                                                     bearer: customer.token, headers: [("Idempotency-Key", key)])
                #expect(other.status == 422, "same key, other body: \(other.status)")
                let order = try #require(first.data?["id"]?.stringValue)
                let mine = try shop.expectStatus(try await shop.http.get("/orders/me", bearer: customer.token), 200, "GET /orders/me")
                #expect(mine.data?["items"]?.arrayValue?.count == 1, "one order: \(mine.text.prefix(400))")
                try await shop.waitForStatus(customer, order, "AWAITING_PAYMENT")
                let payKey = UUID().uuidString
                let pay1 = try shop.expectStatus(try await shop.payAnswer(customer, order: order, token: "tok_success", key: payKey), 201, "first initiate")
                let pay2 = try await shop.payAnswer(customer, order: order, token: "tok_success", key: payKey)
                #expect(pay2.status == 201)
                #expect(pay2.header("Idempotent-Replayed") == "true")
                #expect(pay2.body == pay1.body)
                try await shop.waitForStatus(customer, order, "FULFILLING")
                #expect(try await shop.payments(customer, order: order).count == 1)
                try await shop.waitForStock(product.productId, onHand: 4, reserved: 0)
            }
        }
    }
}
