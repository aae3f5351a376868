/// Checked arithmetic. Every operation either returns the exact result in the operands' currency or
/// throws; nothing wraps, nothing converts.
extension Money {
    public static func + (left: Money, right: Money) throws(MoneyError) -> Money {
        try left.requireSameCurrency(as: right, "add")
        let (result, overflow) = left.amountMinor.addingReportingOverflow(right.amountMinor)
        guard !overflow else { throw .overflow(operation: "\(left) + \(right)") }
        return Money(amountMinor: result, currency: left.currency)
    }

    public static func - (left: Money, right: Money) throws(MoneyError) -> Money {
        try left.requireSameCurrency(as: right, "subtract")
        let (result, overflow) = left.amountMinor.subtractingReportingOverflow(right.amountMinor)
        guard !overflow else { throw .overflow(operation: "\(left) - \(right)") }
        return Money(amountMinor: result, currency: left.currency)
    }

    /// The amount with the opposite sign (a refund of a charge); overflows only for `Int64.min`.
    public func negated() throws(MoneyError) -> Money {
        let (result, overflow) = Int64(0).subtractingReportingOverflow(amountMinor)
        guard !overflow else { throw .overflow(operation: "-(\(self))") }
        return Money(amountMinor: result, currency: currency)
    }

    /// A line total: this unit price times `quantity`.
    public func multiplied(by quantity: Int64) throws(MoneyError) -> Money {
        let (result, overflow) = amountMinor.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw .overflow(operation: "\(self) × \(quantity)") }
        return Money(amountMinor: result, currency: currency)
    }

    public func multiplied(by quantity: Int) throws(MoneyError) -> Money {
        try multiplied(by: Int64(quantity))
    }

    /// The total of `amounts`, all in `currency` (which is also the currency of the zero an empty list sums to).
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency) throws(MoneyError) -> Money {
        var total = Money.zero(currency)
        for amount in amounts { total = try total + amount }
        return total
    }

    /// The total of a non-empty list; `emptySum` for an empty one (its currency is unknown).
    public static func sum(_ amounts: some Sequence<Money>) throws(MoneyError) -> Money {
        var iterator = amounts.makeIterator()
        guard let first = iterator.next() else { throw .emptySum }
        var total = first
        while let next = iterator.next() { total = try total + next }
        return total
    }

    // MARK: Comparison, within one currency only

    public static func < (left: Money, right: Money) throws(MoneyError) -> Bool {
        try left.requireSameCurrency(as: right, "compare")
        return left.amountMinor < right.amountMinor
    }

    public static func <= (left: Money, right: Money) throws(MoneyError) -> Bool {
        try left.requireSameCurrency(as: right, "compare")
        return left.amountMinor <= right.amountMinor
    }

    public static func > (left: Money, right: Money) throws(MoneyError) -> Bool {
        try right < left
    }

    public static func >= (left: Money, right: Money) throws(MoneyError) -> Bool {
        try right <= left
    }

    func requireSameCurrency(as other: Money, _ operation: String) throws(MoneyError) {
        guard currency == other.currency else {
            throw .currencyMismatch(operation: operation, left: currency.code, right: other.currency.code)
        }
    }
}
