/// The order statuses `shop load` reasons about (DOMAIN.md §4.4).
enum OrderStatuses {
    /// Payment captured and applied: `PAID` and every status the happy path reaches after it. An order is
    /// often already `FULFILLING` when first seen after payment, so "paid" means any of these.
    static let paidOrLater: Set<String> = ["PAID", "FULFILLING", "SHIPPED", "DELIVERED", "COMPLETED"]
    /// Where a checkout that was not (or no longer is) paid ends. `CANCELLATION_PENDING` and `REFUND_PENDING`
    /// lead to these, so a shopper polls through them.
    static let endedUnpaid: Set<String> = ["CANCELLED", "REFUNDED", "REFUND_FAILED"]
    /// Payable.
    static let awaitingPayment = "AWAITING_PAYMENT"
}
